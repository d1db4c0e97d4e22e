// Turns a stored error back into something a replay can throw: an Error instance with its class
// name, message, stack and fields restored, whichever DBOS-compatible writer stored it.

import { DurablyError, durablyErrorCodes, type DurablyErrorCode } from "@durably/sysdb";
import { decodeValue } from "./decode-value.js";
import { resolveStoredFormat } from "./resolve-format.js";
import { corruptRowFix, deserializationError } from "./serialization-errors.js";
import type { SerializationFormat } from "./serialization-format.js";

type ErrorConstructorLike = new (message?: string) => Error;

// Built-in classes are revived as themselves, so `instanceof TypeError` survives a replay.
const builtinErrors = new Map<string, ErrorConstructorLike>([
  ["Error", Error],
  ["EvalError", EvalError],
  ["RangeError", RangeError],
  ["ReferenceError", ReferenceError],
  ["SyntaxError", SyntaxError],
  ["TypeError", TypeError],
  ["URIError", URIError],
]);
const codes: ReadonlySet<string> = new Set(durablyErrorCodes);

/**
 * Decodes a stored error into the value to rethrow.
 *
 * - `js_superjson` (DBOS's serialize-error record): a record with string `name`, `message` and
 *   `stack` becomes an Error: a built-in class when the name is one (`TypeError`,
 *   `AggregateError`), a {@link DurablyError} when the name is `DurablyError` with a known code,
 *   else a plain `Error` whose `name` is the stored class name. `message` and `stack` are
 *   restored, other fields become own enumerable properties, `cause` and `errors` entries that
 *   are records are revived as Errors too. Any other stored value (`throw "boom"`, a thrown
 *   plain object) is returned as it was thrown.
 * - `portable_json` (`{name, message, code, data}`): always an Error with those four fields (a
 *   built-in class or DurablyError by the same rules); its stack is only `name: message`, as the
 *   record carries none. A record that is not an
 *   object, or whose name or message is not a string, is a `DESERIALIZATION` error.
 *
 * Field names `__proto__`, `constructor` and `prototype` become inert own properties.
 *
 * @example
 * const e = decodeError('{"name":"MyErr","message":"boom","code":"E42","data":null}',
 *   "portable_json", "js_superjson", "error of workflow pay") as Error & { code?: unknown };
 * e instanceof Error; // true
 * [e.name, e.message, e.code]; // ["MyErr", "boom", "E42"]
 */
export function decodeError(
  text: string | null,
  format: string | null,
  defaultFormat: SerializationFormat,
  where: string,
): unknown {
  const resolved = resolveStoredFormat(format, defaultFormat, where, text);
  const decoded = decodeValue(text, resolved, defaultFormat, where);
  if (resolved === "portable_json") return portableError(decoded, where);
  if (decoded instanceof Error) return decoded;
  return isErrorRecord(decoded) ? reviveError(decoded, new Map()) : decoded;
}

function portableError(decoded: unknown, where: string): Error {
  const fail = (problem: string): never => {
    throw deserializationError({ where, format: "portable_json", problem, fix: corruptRowFix });
  };
  if (typeof decoded !== "object" || decoded === null || Array.isArray(decoded)) {
    return fail('expected an error record {"name","message","code","data"}');
  }
  const record = decoded as Record<string, unknown>;
  const name = record.name ?? "Error";
  const message = record.message ?? "";
  if (typeof name !== "string") return fail("the error name is not a string");
  if (typeof message !== "string") return fail("the error message is not a string");
  const error = createError(name, message, record);
  setHidden(error, "stack", `${name}: ${message}`);
  for (const key of ["code", "data"] as const) {
    const value = record[key];
    if (value !== undefined && value !== null) setField(error, key, value);
  }
  return error;
}

type ErrorRecord = Record<string, unknown> & { name: string; message: string; stack: string };

/** serialize-error's `isErrorLike`: what a stored Error looks like, and a thrown object rarely does. */
function isErrorRecord(value: unknown): value is ErrorRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record.name === "string" && typeof record.message === "string" && typeof record.stack === "string";
}

function reviveError(record: ErrorRecord, revived: Map<object, Error>): Error {
  const known = revived.get(record);
  if (known !== undefined) return known;
  const error = createError(record.name, record.message, record);
  revived.set(record, error);
  setHidden(error, "stack", record.stack);
  for (const key of Object.keys(record)) {
    if (key === "name" || key === "message" || key === "stack" || key === "cause") continue;
    if (key === "errors" && Array.isArray(record[key])) continue;
    setField(error, key, record[key]);
  }
  const revive = (value: unknown): unknown => (isErrorRecord(value) ? reviveError(value, revived) : value);
  if (Object.hasOwn(record, "cause")) setHidden(error, "cause", revive(record.cause));
  const errors = record.errors;
  if (Array.isArray(errors)) {
    const entries = errors.map(revive);
    // AggregateError's own `errors` is non-enumerable; any other class had it as a plain field.
    if (error instanceof AggregateError) setHidden(error, "errors", entries);
    else setField(error, "errors", entries);
  }
  return error;
}

function createError(name: string, message: string, record: Record<string, unknown>): Error {
  const code = record.code;
  if (name === "DurablyError" && typeof code === "string" && codes.has(code)) {
    const { workflowID, stepName, stepID, details } = record;
    return new DurablyError(code as DurablyErrorCode, message, {
      ...(typeof workflowID === "string" ? { workflowID } : {}),
      ...(typeof stepName === "string" ? { stepName } : {}),
      ...(typeof stepID === "number" ? { stepID } : {}),
      ...(isPlainObject(details) ? { details } : {}),
    });
  }
  const error =
    name === "AggregateError" ? new AggregateError([], message) : new (builtinErrors.get(name) ?? Error)(message);
  if (error.name !== name) setHidden(error, "name", name);
  return error;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// defineProperty, not assignment: a stored field named "__proto__" must stay an inert own property.
function setField(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function setHidden(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: true, configurable: true });
}
