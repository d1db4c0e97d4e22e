// Turns a value (a step's output, a workflow's result, a message, an event) into the TEXT stored
// in its row, in the format recorded next to it in the `serialization` column.

import { checkPayloadSize, defaultMaxPayloadBytes } from "./check-payload-size.js";
import { normalizeValue } from "./normalize-value.js";
import { requireWritableFormat } from "./resolve-format.js";
import { serializationError } from "./serialization-errors.js";
import type { SerializationFormat } from "./serialization-format.js";
import { writeSuperjsonScalar, writeSuperjsonText } from "./superjson-codec.js";

/**
 * Encodes `value` for storage, or throws a `DurablyError` with code `SERIALIZATION` (before
 * anything is written) naming the part of the value that `format` cannot keep faithfully.
 *
 * - `js_superjson` writes DBOS's native form, `{"json":…,"meta":…,"__dbos_serializer":"superjson"}`.
 * - `portable_json` writes plain JSON; a top-level `undefined` is stored as `null`.
 *
 * What each format accepts is listed on {@link normalizeValue}.
 *
 * @param where What is being stored, for the error message ("output of step charge").
 * @param maxBytes The largest serialized size accepted; a larger value throws PAYLOAD_TOO_LARGE.
 *
 * @example
 * encodeValue(10, "js_superjson", "output of step add");
 * // '{"json":10,"__dbos_serializer":"superjson"}'
 * encodeValue({ total: 3 }, "portable_json", "workflow output"); // '{"total":3}'
 */
export function encodeValue(
  value: unknown,
  format: SerializationFormat,
  where: string,
  maxBytes: number = defaultMaxPayloadBytes,
): string {
  const checked = requireWritableFormat(format, where);
  // A scalar JSON keeps exactly needs no walk: the common message, event and step result.
  const text = isJsonScalar(value)
    ? checked === "portable_json"
      ? JSON.stringify(value)
      : writeSuperjsonScalar(value)
    : writeNormalized(normalizeValue(value, { format: checked, where }), checked, where);
  return checkPayloadSize(text, maxBytes, where);
}

/** Writes a value already passed through {@link normalizeValue} for the same format. */
export function writeNormalized(normalized: unknown, format: SerializationFormat, where: string): string {
  try {
    return format === "portable_json"
      ? JSON.stringify(normalized === undefined ? null : normalized)
      : writeSuperjsonText(normalized);
  } catch (cause) {
    // Normalization leaves nothing either writer refuses; the one thing left is a stack overflow.
    throw serializationError({
      where,
      format,
      problem: `could not be written (${cause instanceof Error ? cause.message : String(cause)})`,
      fix: "Flatten deeply nested data, or store it in several parts.",
      cause,
    });
  }
}

/** null, a string, a boolean, or a number JSON writes as itself (not NaN, ±Infinity or -0). */
function isJsonScalar(value: unknown): value is string | number | boolean | null {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    default:
      return value === null;
  }
}
