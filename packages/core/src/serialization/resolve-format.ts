// Turns the format named by a caller or found in a row into a format durably can handle, with
// a typed error for anything else (a Python pickle row, a typo, a custom serializer's name).

import { deserializationError, serializationError } from "./serialization-errors.js";
import { isSerializationFormat, type SerializationFormat } from "./serialization-format.js";
import { isSuperjsonEnvelopeText } from "./superjson-codec.js";

/**
 * The format to read a row with: the row's `serialization` column; when the column is NULL (rows
 * written before the column existed, and DBOS's internal steps such as `DBOS.getResult`, which
 * DBOS 5.3.0 records untagged in its default js_superjson even inside a portable workflow),
 * js_superjson if `text` carries DBOS's superjson marker, else `defaultFormat`.
 */
export function resolveStoredFormat(
  column: string | null,
  defaultFormat: SerializationFormat,
  where: string,
  text: string | null = null,
): SerializationFormat {
  if (column === null) return text !== null && isSuperjsonEnvelopeText(text) ? "js_superjson" : defaultFormat;
  if (isSerializationFormat(column)) return column;
  throw deserializationError({
    where,
    format: column,
    problem: `"${column}" is not a format durably reads (it reads js_superjson and portable_json)`,
    fix: "The row was written by another SDK or a custom serializer: have its writer use portable_json.",
  });
}

/** Checks, at run time, a format a caller asked to write with. */
export function requireWritableFormat(format: string, where: string): SerializationFormat {
  if (isSerializationFormat(format)) return format;
  throw serializationError({
    where,
    format,
    problem: `cannot be written, because "${format}" is not a format durably writes`,
    fix: 'Use "js_superjson" or "portable_json".',
  });
}
