// The size rule for a thrown error: never refused, cut to fit. A failure is already the outcome, and
// refusing its record (PAYLOAD_TOO_LARGE) would replace the user's error, its name and code, by
// ours; so its long strings (a 100 MB message, a stack, a giant `cause`) are cut with a marker until
// the stored record fits in maxPayloadBytes, and a record that still does not fit keeps only its
// name, code and the start of its message.

/** Strings are never cut below this many characters (then the record falls back to its summary). */
const shortestCut = 256;

/**
 * Returns `write(record)` if it fits in `maxBytes` UTF-8 bytes; otherwise writes the record again
 * with every string longer than a budget cut to the budget plus a marker, the budget quartering
 * until the text fits; as a last resort writes `{ name, code, message }` alone (message cut).
 *
 * @example
 * fitErrorRecord({ name: "Error", message: "x".repeat(1e8) }, 1 << 20, JSON.stringify).length; // < 1 MiB
 */
export function fitErrorRecord(record: unknown, maxBytes: number, write: (record: unknown) => string): string {
  // Written whole only when its strings could fit: a 100 MB message is not serialized just to be measured.
  if (stringChars(record) <= maxBytes) {
    const text = write(record);
    if (fits(text, maxBytes)) return text;
  }
  for (let budget = Math.floor(maxBytes / 2); budget >= shortestCut; budget = Math.floor(budget / 4)) {
    const fitted = cutStrings(record, budget, maxBytes);
    // Plain JSON (native, fast) is no larger than either writer's text: skip a write bound to fail.
    if (plainJsonLength(fitted) > maxBytes) continue;
    const text = write(fitted);
    if (fits(text, maxBytes)) return text;
  }
  return write(summary(record, maxBytes));
}

function fits(text: string, maxBytes: number): boolean {
  return text.length * 3 <= maxBytes || Buffer.byteLength(text, "utf8") <= maxBytes;
}

/** The length of `value` as plain JSON, or 0 when JSON cannot write it (a BigInt). */
function plainJsonLength(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

/** The characters of all strings in plain objects and arrays (a lower bound of the written size). */
function stringChars(value: unknown): number {
  if (typeof value === "string") return value.length;
  let total = 0;
  if (Array.isArray(value)) for (const item of value) total += stringChars(item);
  else if (isPlainObject(value)) for (const item of Object.values(value)) total += stringChars(item);
  return total;
}

/** A copy with each string longer than `budget` characters cut to `budget` and marked. */
function cutStrings(value: unknown, budget: number, maxBytes: number): unknown {
  if (typeof value === "string") return cut(value, budget, maxBytes);
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, budget, maxBytes));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutStrings(item, budget, maxBytes)]));
  }
  return value; // Date, Map, BigInt…: superjson writes them; the summary is the fallback if they are huge
}

function cut(text: string, budget: number, maxBytes: number): string {
  if (text.length <= budget) return text;
  // Never split a surrogate pair: the stored text must stay valid UTF-8.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(budget - 1)) ? budget - 1 : budget;
  return `${text.slice(0, end)}… [cut by durably: ${text.length - end} more characters; the error was over maxPayloadBytes (${maxBytes} bytes)]`;
}

/** The last resort: what identifies the error (name, code) and the start of its message. */
function summary(record: unknown, maxBytes: number): unknown {
  const budget = Math.max(shortestCut, Math.floor(maxBytes / 8) - 200);
  if (!isPlainObject(record)) {
    return cut(typeof record === "string" ? record : "[a thrown value too large to store]", budget, maxBytes);
  }
  const identifies = (value: unknown) =>
    typeof value === "number" || (typeof value === "string" && value.length <= 200) ? value : null;
  const message = typeof record.message === "string" ? record.message : "";
  const kept: Record<string, unknown> = {
    name: identifies(record.name) ?? "Error",
    message:
      message.length > budget
        ? cut(message, budget, maxBytes)
        : `${message} [fields, stack and cause dropped by durably: the error was over maxPayloadBytes (${maxBytes} bytes)]`,
  };
  if ("code" in record) kept.code = identifies(record.code);
  if ("data" in record) kept.data = null; // portable_json's record always has its four keys
  return kept;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
