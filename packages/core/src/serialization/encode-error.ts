// Stores what a workflow or step threw, keeping enough (class name, message, stack, fields,
// cause, AggregateError's errors) for a replay to rethrow an equivalent error.

import { defaultMaxPayloadBytes } from "./check-payload-size.js";
import { writeNormalized } from "./encode-value.js";
import { fitErrorRecord } from "./fit-error-record.js";
import { normalizeValue } from "./normalize-value.js";
import { requireWritableFormat } from "./resolve-format.js";
import type { SerializationFormat } from "./serialization-format.js";

/** Nested objects in an error's fields deeper than this are stored as "[Truncated]". */
const errorMaxDepth = 32;

/**
 * Encodes a thrown value. Unlike {@link encodeValue} this never refuses: an error must always be
 * recordable, so what a format cannot store is dropped or converted (functions dropped, cycles
 * become `"[Circular]"`, very deep nesting `"[Truncated]"`), and an error over `maxBytes` is cut
 * to fit, its long strings ending in a `… [cut by durably: …]` marker (see {@link fitErrorRecord}).
 *
 * - `js_superjson` stores DBOS's form (serialize-error's record inside superjson):
 *   `{"json":{"name":"MyErr","code":"E42","message":"boom","stack":"…"},"__dbos_serializer":"superjson"}`.
 *   Own enumerable fields come first, then name, message and stack; `cause` and AggregateError's
 *   `errors` are stored as records too. A thrown non-Error (`throw "boom"`) is stored as itself.
 * - `portable_json` stores DBOS's cross-language error record, always with all four keys:
 *   `{"name":"MyErr","message":"boom","code":"E42","data":null}`. `code` is kept when it is a
 *   string or number, `data` when set (converted to JSON). Nothing else fits that record, so
 *   stack, cause and other fields are not stored. A thrown non-Error becomes
 *   `{"name":"NonError","message":<its JSON>,"code":null,"data":<it>}`.
 *
 * @example
 * class MyErr extends Error { override name = "MyErr"; code = "E42"; }
 * encodeError(new MyErr("boom"), "portable_json", "error of workflow pay");
 * // '{"name":"MyErr","message":"boom","code":"E42","data":null}'
 */
export function encodeError(
  error: unknown,
  format: SerializationFormat,
  where: string,
  maxBytes: number = defaultMaxPayloadBytes,
): string {
  const checked = requireWritableFormat(format, where);
  // As serialize-error does: a thrown function or symbol is stored as its description.
  const thrown =
    typeof error === "function"
      ? `[Function: ${error.name === "" ? "anonymous" : error.name}]`
      : typeof error === "symbol"
        ? error.toString()
        : error;
  if (checked === "js_superjson") {
    const record = normalizeValue(thrown, {
      format: checked,
      where,
      lenient: true,
      errorsAsRecords: true,
      maxDepth: errorMaxDepth,
    });
    return fitErrorRecord(record, maxBytes, (fitted) => writeNormalized(fitted, checked, where));
  }
  return fitErrorRecord(portableErrorRecord(thrown, where), maxBytes, (fitted) =>
    writeNormalized(fitted, checked, where),
  );
}

interface PortableErrorRecord {
  name: string;
  message: string;
  code: string | number | null;
  data: unknown;
}

function portableErrorRecord(error: unknown, where: string): PortableErrorRecord {
  const toJson = (value: unknown): unknown =>
    normalizeValue(value, {
      format: "portable_json",
      where,
      lenient: true,
      maxDepth: errorMaxDepth,
    }) ?? null;
  if (!isErrorLike(error)) {
    const data = toJson(error);
    return { name: "NonError", message: describe(error, data), code: null, data };
  }
  const name = read(error, "name");
  const message = read(error, "message");
  const code = read(error, "code");
  return {
    name: typeof name === "string" ? name : "Error",
    message: typeof message === "string" ? message : "",
    code: typeof code === "string" || (typeof code === "number" && Number.isFinite(code)) ? code : null,
    data: toJson(read(error, "data")),
  };
}

function isErrorLike(value: unknown): value is object {
  return (
    value instanceof Error ||
    (typeof value === "object" && value !== null && Object.prototype.toString.call(value) === "[object Error]")
  );
}

function read(source: object, key: string): unknown {
  try {
    return (source as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** serialize-error's NonError message: the thrown value as JSON (a string as itself). */
function describe(thrown: unknown, asJson: unknown): string {
  if (typeof thrown === "string") return thrown;
  if (thrown === undefined) return "undefined";
  return JSON.stringify(asJson) ?? String(thrown);
}
