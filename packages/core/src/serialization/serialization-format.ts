// The names of the value formats durably reads and writes: the strings stored in every row's
// `serialization` column, spelled exactly as DBOS TypeScript spells them so both sides agree.

/**
 * How a stored value is encoded.
 *
 * - `js_superjson` (the default): DBOS TypeScript's native form, superjson plus a marker. Keeps
 *   Date, Map, Set, BigInt, undefined, RegExp, NaN, -0, shared and circular references.
 * - `portable_json`: plain JSON that every DBOS language reads. Refuses what JSON cannot keep.
 */
export type SerializationFormat = "js_superjson" | "portable_json";

/** Every {@link SerializationFormat}, in a frozen list. */
export const serializationFormats: readonly SerializationFormat[] = Object.freeze(["js_superjson", "portable_json"]);

/** The format durably writes unless told otherwise: `js_superjson`, as DBOS does. */
export const defaultSerializationFormat: SerializationFormat = "js_superjson";

/**
 * True when `x` names a format durably can read and write.
 *
 * @example
 * isSerializationFormat("portable_json"); // true
 * isSerializationFormat("py_pickle"); // false: a DBOS Python row
 */
export function isSerializationFormat(x: unknown): x is SerializationFormat {
  return x === "js_superjson" || x === "portable_json";
}
