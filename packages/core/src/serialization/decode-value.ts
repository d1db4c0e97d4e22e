// Turns the TEXT of a stored value back into the value, in the format its row records, treating
// the row as untrusted input: corrupt or hostile text gives a typed error, never code execution.

import { isDurablyError } from "@durably/sysdb";
import { resolveStoredFormat } from "./resolve-format.js";
import { corruptRowFix, deserializationError } from "./serialization-errors.js";
import type { SerializationFormat } from "./serialization-format.js";
import { parseJson, readSuperjsonText } from "./superjson-codec.js";

/**
 * Decodes a stored value.
 *
 * - `text` NULL (nothing stored, e.g. an absent event) decodes to `null`, as in DBOS.
 * - `format` NULL (rows from before the `serialization` column, DBOS's `DBOS.getResult` steps)
 *   means js_superjson when the text carries DBOS's marker, else `defaultFormat`.
 * - js_superjson text without DBOS's marker is plain JSON (DBOS's older rows) and decodes as such.
 * - Keys named `__proto__`, `constructor` or `prototype` in the data decode as inert own
 *   properties; superjson meta paths through such keys are refused.
 *
 * Throws a `DurablyError` with code `DESERIALIZATION` naming the format for invalid JSON, a
 * malformed superjson envelope or meta, or a format durably does not read (`py_pickle`, …).
 *
 * @example
 * decodeValue('{"json":"2025-01-02T03:04:05.000Z","meta":{"values":["Date"]},"__dbos_serializer":"superjson"}',
 *   "js_superjson", "js_superjson", "workflow output"); // a Date
 * decodeValue('"result=42"', "portable_json", "js_superjson", "workflow output"); // "result=42"
 */
export function decodeValue(
  text: string | null,
  format: string | null,
  defaultFormat: SerializationFormat,
  where: string,
): unknown {
  if (text === null) return null;
  const resolved = resolveStoredFormat(format, defaultFormat, where, text);
  try {
    return resolved === "portable_json" ? parseJson(text, resolved, where) : readSuperjsonText(text, where);
  } catch (error) {
    if (isDurablyError(error)) throw error;
    // Whatever else escaped (a stack overflow on absurdly nested meta) is still a bad row.
    throw deserializationError({
      where,
      format: resolved,
      problem: `it could not be decoded (${error instanceof Error ? error.message : String(error)})`,
      fix: corruptRowFix,
      cause: error,
    });
  }
}
