// Stores a workflow's input the way DBOS stores a workflow's arguments, so DBOS clients can
// enqueue to durably workflows and read their inputs, and durably can read theirs.

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
): string {
  const checked = requireWritableFormat(format, where);
  const args = input === undefined ? [] : [normalizeValue(input, { format: checked, where })];
  return writeNormalized(
    checked === "portable_json" ? { positionalArgs: args } : args,
    checked,
    where,
  );
}
