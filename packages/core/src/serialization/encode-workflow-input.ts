// Stores a workflow's input the way DBOS stores a workflow's arguments, so DBOS clients can
// enqueue to durably workflows and read their inputs, and durably can read theirs.

import { checkPayloadSize, defaultMaxPayloadBytes } from "./check-payload-size.js";
import { writeNormalized } from "./encode-value.js";
import { normalizeValue } from "./normalize-value.js";
import { requireWritableFormat } from "./resolve-format.js";
import type { SerializationFormat } from "./serialization-format.js";

/**
 * Encodes a workflow's single input as DBOS's positional-argument list.
 *
 * - `js_superjson`: the argument array itself, `{"json":[input],…}`, as DBOS's `serializeArgs`.
 * - `portable_json`: the envelope `{"positionalArgs":[input]}` every DBOS language reads.
 *
 * An `undefined` input is stored as zero arguments (`[]`), which is how DBOS stores a call with
 * no arguments. Error paths name the input itself (`$.items[2]`), not the argument list.
 *
 * @example
 * encodeWorkflowInput(10, "js_superjson"); // '{"json":[10],"__dbos_serializer":"superjson"}'
 * encodeWorkflowInput(20, "portable_json"); // '{"positionalArgs":[20]}'
 */
export function encodeWorkflowInput(
  input: unknown,
  format: SerializationFormat,
  where = "workflow input",
  maxBytes: number = defaultMaxPayloadBytes,
): string {
  return encodeWorkflowArguments(input === undefined ? [] : [input], format, where, maxBytes);
}

/**
 * Encodes a DBOS argument list as it is, for a row DBOS reads as several arguments: a schedule's
 * tick is DBOS's `(scheduledTime, context)`. Error paths name the argument (`$[1].items`).
 *
 * @example
 * encodeWorkflowArguments(["2026-05-01T03:00:00.000Z", null], "portable_json");
 * // '{"positionalArgs":["2026-05-01T03:00:00.000Z",null]}'
 */
export function encodeWorkflowArguments(
  args: readonly unknown[],
  format: SerializationFormat,
  where = "workflow input",
  maxBytes: number = defaultMaxPayloadBytes,
): string {
  const checked = requireWritableFormat(format, where);
  const normalized = args.map((arg) => normalizeValue(arg, { format: checked, where }));
  const text = writeNormalized(
    checked === "portable_json" ? { positionalArgs: normalized } : normalized,
    checked,
    where,
  );
  return checkPayloadSize(text, maxBytes, where);
}
