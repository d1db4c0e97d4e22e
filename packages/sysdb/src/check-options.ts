// Checks an options object of the public API against the keys it accepts and what each must be,
// before anything runs: JavaScript callers get no type check, and a misspelled key (DBOS's
// `limitPerPeriod` for our `limit`) must not be silently ignored.
import { DurablyError, type DurablyErrorCode } from "./durably-error.js";

/** What one option must be. An option left undefined is not checked (unless `required`). */
export type OptionRule =
  | {
      readonly type: "string";
      readonly required?: boolean;
      readonly nonEmpty?: boolean;
      readonly enum?: readonly string[];
    }
  | {
      readonly type: "number";
      readonly required?: boolean;
      /** A safe integer (Number.isSafeInteger). */
      readonly integer?: boolean;
      readonly min?: number;
      readonly max?: number;
      /** Strictly greater than this (e.g. 0 for "positive"). */
      readonly above?: number;
    }
  | { readonly type: "boolean"; readonly required?: boolean }
  | { readonly type: "function"; readonly required?: boolean }
  | { readonly type: "date"; readonly required?: boolean }
  | { readonly type: "array"; readonly required?: boolean; readonly items?: OptionRule }
  | { readonly type: "object"; readonly required?: boolean; readonly keys?: OptionRules }
  /** Either a non-empty name or an object with a non-empty `name` (a queue, a workflow). */
  | { readonly type: "name-or-named"; readonly required?: boolean }
  /** Anything: the caller checks it (kept here so the key counts as accepted). */
  | { readonly type: "any"; readonly required?: boolean };

export type OptionRules = Readonly<Record<string, OptionRule>>;

/** The largest delay a Node.js timer takes; longer ones fire at once (so durably chunks them). */
export const maxTimerMs = 2 ** 31 - 1;

/** The largest value of a Postgres integer (int4) column. */
export const maxInt4 = 2 ** 31 - 1;

/**
 * Throws a {@link DurablyError} (default code INVALID_ARGUMENT) naming the first option of
 * `options` that is unknown or not what its rule says. `where` names the call, e.g.
 * `"registerQueue(\"emails\")"`; `undefined` options are accepted (every key is then absent).
 *
 * @example
 * checkOptions("shutdown", options, { timeoutMs: { type: "number", min: 0 } });
 */
export function checkOptions(
  where: string,
  options: unknown,
  rules: OptionRules,
  code: DurablyErrorCode = "INVALID_ARGUMENT",
): void {
  if (options === undefined) {
    const missing = Object.keys(rules).find((key) => rules[key]!.required);
    if (missing !== undefined)
      throw new DurablyError(code, `${where}: the option ${missing} is required; pass { ${missing}: … }.`);
    return;
  }
  checkObject(where, "", options, rules, code);
}

function checkObject(where: string, path: string, value: unknown, rules: OptionRules, code: DurablyErrorCode): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DurablyError(
      code,
      `${where}: ${path === "" ? "the options" : path} must be an object such as ` +
        `{ ${Object.keys(rules)[0] ?? ""}: … }, got ${describe(value)}.`,
    );
  }
  const accepted = Object.keys(rules);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(rules, key)) {
      throw new DurablyError(
        code,
        `${where}: unknown option ${path}${key}${suggestion(key, accepted)}; the ` +
          `accepted ${path === "" ? "options" : `keys of ${path.slice(0, -1)}`} are ${accepted.join(", ")}.`,
        { details: { option: `${path}${key}`, accepted } },
      );
    }
  }
  for (const key of accepted) {
    const rule = rules[key]!;
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) {
      if (rule.required)
        throw new DurablyError(code, `${where}: the option ${path}${key} is required.`, {
          details: { option: `${path}${key}` },
        });
      continue;
    }
    checkValue(where, `${path}${key}`, item, rule, code);
  }
}

/**
 * Throws INVALID_ARGUMENT, as {@link checkOptions} does for an option, when positional argument
 * `name` of call `where` is not what `rule` says (undefined included): a workflow ID, a list of
 * them, which JavaScript callers can pass as anything.
 *
 * @example
 * checkArgument("cancelWorkflow", "workflowID", workflowID, { type: "string", nonEmpty: true });
 */
export function checkArgument(where: string, name: string, value: unknown, rule: OptionRule): void {
  checkValue(where, name, value, rule, "INVALID_ARGUMENT");
}

function checkValue(where: string, name: string, value: unknown, rule: OptionRule, code: DurablyErrorCode): void {
  const fail = (must: string): never => {
    throw new DurablyError(code, `${where}: ${name} must be ${must}, got ${describe(value)}.`, {
      details: { option: name },
    });
  };
  switch (rule.type) {
    case "string":
      if (typeof value !== "string") fail(rule.enum ? oneOf(rule.enum) : "a string");
      if (rule.enum !== undefined && !rule.enum.includes(value as string)) fail(oneOf(rule.enum));
      if (rule.nonEmpty && value === "") fail("a non-empty string");
      return;
    case "number": {
      const must = describeNumber(rule);
      if (typeof value !== "number" || !Number.isFinite(value)) fail(must);
      const n = value as number;
      if (rule.integer && !Number.isSafeInteger(n)) fail(must);
      if (
        (rule.min !== undefined && n < rule.min) ||
        (rule.max !== undefined && n > rule.max) ||
        (rule.above !== undefined && n <= rule.above)
      )
        fail(must);
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") fail("true or false");
      return;
    case "function":
      if (typeof value !== "function") fail("a function");
      return;
    case "date":
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail("a valid Date");
      return;
    case "array":
      if (!Array.isArray(value)) fail("an array");
      if (rule.items !== undefined) {
        // forEach, not for…of: a hole in a sparse array is skipped, not checked as undefined.
        (value as unknown[]).forEach((item, i) => {
          checkValue(where, `${name}[${i}]`, item, rule.items!, code);
        });
      }
      return;
    case "object":
      if (rule.keys !== undefined) checkObject(where, `${name}.`, value, rule.keys, code);
      else if (typeof value !== "object" || value === null) fail("an object");
      return;
    case "name-or-named": {
      const named =
        typeof value === "string"
          ? value
          : typeof value === "object" && value !== null
            ? (value as { name?: unknown }).name
            : undefined;
      if (typeof named !== "string" || named === "")
        fail("a non-empty name or an object with one (e.g. the value registerQueue returned)");
      return;
    }
    case "any":
      return;
  }
}

/** "an integer from 0 to 2147483647", "a number > 0", "a finite number". */
function describeNumber(rule: Extract<OptionRule, { type: "number" }>): string {
  const kind = rule.integer ? "an integer" : "a finite number";
  if (rule.min !== undefined && rule.max !== undefined) return `${kind} from ${rule.min} to ${rule.max}`;
  const bounds = [
    rule.min === undefined ? undefined : `>= ${rule.min}`,
    rule.above === undefined ? undefined : `> ${rule.above}`,
    rule.max === undefined ? undefined : `<= ${rule.max}`,
  ].filter((b) => b !== undefined);
  return bounds.length === 0 ? kind : `${kind} ${bounds.join(" and ")}`;
}

function oneOf(values: readonly string[]): string {
  return `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return `Date ${String(value)}`;
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}

/**
 * " (did you mean limit?)" for a key that differs from an accepted one in case, by a prefix or suffix, or by two typos.
 */
function suggestion(key: string, accepted: readonly string[]): string {
  const lower = key.toLowerCase();
  const near =
    accepted.find((a) => a.toLowerCase() === lower) ??
    accepted.find((a) => lower.includes(a.toLowerCase()) || a.toLowerCase().includes(lower)) ??
    accepted.find((a) => editDistance(a.toLowerCase(), lower) <= 2);
  return near === undefined ? "" : ` (did you mean ${near}?)`;
}

/** Levenshtein distance, for the few short keys of one options object. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
