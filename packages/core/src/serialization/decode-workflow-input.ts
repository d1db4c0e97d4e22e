// Reads a workflow's input back from its row, whether durably or a DBOS client (any language,
// either format) wrote it, mapping DBOS's argument lists onto durably's single input.

import { decodeValue } from "./decode-value.js";
import { resolveStoredFormat } from "./resolve-format.js";
import { corruptRowFix, deserializationError } from "./serialization-errors.js";
import type { SerializationFormat } from "./serialization-format.js";

/**
 * Decodes a stored workflow input. durably workflows take exactly one input, while DBOS rows
 * hold an argument list, so:
 *
 * - zero arguments (or NULL text) → `undefined`;
 * - exactly one argument → that argument;
 * - several arguments (a DBOS workflow called with several) → the whole argument array;
 * - portable_json with only `namedArgs` (e.g. Python keyword arguments) → the `namedArgs`
 *   object; with both positional and named arguments → a `DESERIALIZATION` error, since one
 *   input cannot carry both.
 *
 * js_superjson rows must hold an array (DBOS's `serializeArgs`); portable_json rows must hold the
 * `{"positionalArgs":[…],"namedArgs":{…}}` envelope. Anything else is a `DESERIALIZATION` error.
 *
 * A scheduled workflow's row (`scheduled`: its `schedule_name` is set) holds DBOS's two
 * arguments `(scheduledTime, context)`, whoever fired it; it decodes to durably's
 * `{ scheduledTime, context }`, with the time as a Date even from portable_json's ISO text.
 * Rows of older durably releases held that object as one argument and decode as they are.
 *
 * @example
 * decodeWorkflowInput('{"positionalArgs":[20]}', "portable_json", "js_superjson"); // 20
 * decodeWorkflowInput('{"json":[1,2],"__dbos_serializer":"superjson"}', "js_superjson", "js_superjson"); // [1, 2]
 */
export function decodeWorkflowInput(
  text: string | null,
  format: string | null,
  defaultFormat: SerializationFormat,
  where = "workflow input",
  scheduled = false,
): unknown {
  if (text === null) return undefined;
  const resolved = resolveStoredFormat(format, defaultFormat, where, text);
  const decoded = decodeValue(text, resolved, defaultFormat, where);
  const fail = (problem: string): never => {
    throw deserializationError({ where, format: resolved, problem, fix: corruptRowFix });
  };

  let args: readonly unknown[];
  if (resolved === "js_superjson") {
    if (!Array.isArray(decoded)) return fail("expected an array of arguments");
    args = decoded;
  } else {
    if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) {
      return fail('expected {"positionalArgs":[…],"namedArgs":{…}}');
    }
    const { positionalArgs, namedArgs } = decoded as Record<string, unknown>;
    if (positionalArgs !== undefined && positionalArgs !== null && !Array.isArray(positionalArgs)) {
      return fail("positionalArgs is not an array");
    }
    if (namedArgs !== undefined && namedArgs !== null && (typeof namedArgs !== "object" || Array.isArray(namedArgs))) {
      return fail("namedArgs is not an object");
    }
    args = positionalArgs ?? [];
    if (namedArgs !== undefined && namedArgs !== null && Object.keys(namedArgs).length > 0) {
      if (args.length > 0) {
        return fail("it has both positional and named arguments, and a durably workflow takes one input");
      }
      return namedArgs;
    }
  }
  if (scheduled && args.length === 2) return toScheduledInput(args[0], args[1], fail);
  return args.length === 0 ? undefined : args.length === 1 ? args[0] : args;
}

function toScheduledInput(time: unknown, context: unknown, fail: (problem: string) => never): unknown {
  const scheduledTime = time instanceof Date ? time : typeof time === "string" ? new Date(time) : undefined;
  if (scheduledTime === undefined || Number.isNaN(scheduledTime.getTime())) {
    return fail("a scheduled workflow's first argument is not its scheduled time");
  }
  // DBOS stores an absent context as undefined (superjson) or null (portable): both mean none.
  return { scheduledTime, context: context === undefined ? null : context };
}
