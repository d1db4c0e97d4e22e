// Walks a value before it is stored: refuses what the format cannot keep faithfully (naming the
// offending path) and reduces class instances to the plain data that is really stored, so what a
// workflow reads back on replay is what it would have read on the first run.

import type { SerializationFormat } from "./serialization-format.js";
import { serializationError } from "./serialization-errors.js";
import { describeOpaqueValue } from "./describe-opaque-value.js";
import { superjsonTypedArrays } from "./superjson-typed-arrays.js";
import type { ValuePathSegment } from "./value-path.js";

export interface NormalizeOptions {
  readonly format: SerializationFormat;
  /** What is being stored, for error messages: "workflow input", "output of step charge". */
  readonly where: string;
  /**
   * Best effort instead of refusal: drop functions and symbols, convert what the format lacks,
   * replace cycles (portable_json) by `"[Circular]"`. For errors, which must always be recordable.
   */
  readonly lenient?: boolean;
  /**
   * Store every Error as a plain record (name, message, stack, own fields, cause, errors), and
   * cycles as `"[Circular]"`, as serialize-error does (DBOS's reader would recurse forever).
   */
  readonly errorsAsRecords?: boolean;
  /** Lenient only: objects nested deeper than this are replaced by `"[Truncated]"`. */
  readonly maxDepth?: number;
}

/**
 * Returns a copy of `value` made only of what `format` stores faithfully, or throws a
 * `DurablyError` with code `SERIALIZATION` naming the first part it cannot store.
 *
 * Shared by both formats:
 * - functions and symbols (as values) are refused anywhere in the graph; symbol-keyed
 *   properties are ignored, as `JSON.stringify` and DBOS ignore them;
 * - class instances become plain objects of their own enumerable properties (their methods live
 *   on the prototype and are not data); an instance with a `toJSON()` method is stored as what
 *   `toJSON()` returns, as `JSON.stringify` does;
 * - promises, WeakMap/WeakSet/WeakRef, ArrayBuffer and DataView are refused;
 * - array holes become `undefined`.
 *
 * `js_superjson`: Date, Map, Set, BigInt, RegExp, URL, Buffer, typed arrays, undefined, NaN,
 * ±Infinity and -0 are kept, and so are shared and circular references (superjson records them).
 * Refused: keys named `__proto__`, `constructor` or `prototype` (superjson refuses them), invalid
 * Dates (superjson would store null), and Float32/Float64Arrays holding NaN, ±Infinity or -0
 * (superjson would read them back as 0). An Error nested inside a value keeps only its name,
 * message and cause, as in DBOS.
 *
 * `portable_json`: only what JSON keeps. Date, Map, Set, BigInt, RegExp, binary data, Errors,
 * NaN/±Infinity, `undefined` inside arrays and circular references are refused; an object
 * property whose value is `undefined` is left out (as JSON does); -0 is stored as 0.
 */
export function normalizeValue(value: unknown, options: NormalizeOptions): unknown {
  const walker = new ValueWalker(options);
  try {
    const out = walker.walk(value, 0);
    return out === omitted ? undefined : out;
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw serializationError({
        where: options.where,
        format: options.format,
        problem: "is nested too deeply to be walked",
        fix: "Flatten the structure, or store it in several parts.",
        cause: error,
      });
    }
    throw error;
  }
}

/** Marks a part that lenient mode drops. */
const omitted: unique symbol = Symbol("omitted");
type Walked = unknown;

// Keys superjson 2.x refuses outright on serialize (and on any meta path when reading).
const forbiddenSuperjsonKeys = new Set(["__proto__", "constructor", "prototype"]);

class ValueWalker {
  readonly #options: NormalizeOptions;
  readonly #portable: boolean;
  readonly #lenient: boolean;
  readonly #path: ValuePathSegment[] = [];
  /** Original object → its stored copy, so shared references stay shared (and cycles close). */
  readonly #copies = new Map<object, Walked>();
  /** Objects whose copy is being filled: meeting one again means a cycle. */
  readonly #open = new Set<object>();

  constructor(options: NormalizeOptions) {
    this.#options = options;
    this.#portable = options.format === "portable_json";
    this.#lenient = options.lenient === true;
  }

  walk(value: unknown, depth: number): Walked {
    switch (typeof value) {
      case "string":
      case "boolean":
      case "undefined":
        return value;
      case "number":
        return this.#number(value);
      case "bigint":
        return this.#portable
          ? this.#refuse("is a BigInt", "JSON has no BigInt: store value.toString(), or use js_superjson.", () =>
              value.toString(),
            )
          : value;
      case "symbol":
        return this.#refuse("is a symbol", "Symbols cannot be stored; use a string instead.");
      case "function":
        return this.#refuse(
          `is a function${value.name === "" ? "" : ` (${value.name})`}`,
          "Functions cannot be stored; pass plain data, or call the function and store its result.",
        );
      case "object":
        return value === null ? null : this.#object(value, depth);
    }
  }

  #number(value: number): Walked {
    if (!this.#portable) return value;
    if (Number.isFinite(value)) return Object.is(value, -0) ? 0 : value;
    return this.#refuse(
      `is ${String(value)}`,
      "JSON has no NaN or Infinity: store null or a string, or use js_superjson.",
      () => null,
    );
  }

  #object(obj: object, depth: number): Walked {
    if (this.#copies.has(obj)) {
      // Error records break cycles as serialize-error does: DBOS's reader recurses into `cause`.
      const breakCycles = this.#portable || this.#options.errorsAsRecords === true;
      if (breakCycles && this.#open.has(obj)) {
        return this.#refuse(
          "refers back to one of its own containers (a circular reference)",
          "JSON cannot store cycles: break the cycle, or use js_superjson, which keeps them.",
          () => "[Circular]",
        );
      }
      return this.#copies.get(obj);
    }
    const { maxDepth } = this.#options;
    if (this.#lenient && maxDepth !== undefined && depth > maxDepth) return "[Truncated]";

    if (Array.isArray(obj)) return this.#array(obj, depth);
    if (obj instanceof Date) return this.#date(obj);
    if (obj instanceof Map) return this.#map(obj, depth);
    if (obj instanceof Set) return this.#set(obj, depth);
    if (ArrayBuffer.isView(obj)) return this.#binary(obj, depth);
    if (isError(obj)) return this.#error(obj, depth);
    if (obj instanceof RegExp) {
      return this.#portable
        ? this.#refuse("is a RegExp", "Store its source and flags as strings, or use js_superjson.", () => String(obj))
        : this.#keep(obj);
    }
    if (obj instanceof URL) return this.#portable ? obj.href : this.#keep(obj);
    if (obj instanceof Number || obj instanceof String || obj instanceof Boolean || obj instanceof BigInt) {
      return this.walk(obj.valueOf(), depth);
    }
    const opaque = describeOpaqueValue(obj);
    if (opaque !== undefined) return this.#refuse(opaque.problem, opaque.fix);
    return this.#record(obj, depth);
  }

  #array(array: readonly unknown[], depth: number): Walked {
    const copy: unknown[] = [];
    this.#enter(array, copy);
    for (let i = 0; i < array.length; i++) {
      this.#path.push(i);
      const raw = i in array ? this.#read(array, i) : undefined;
      let item = raw === omitted ? omitted : this.walk(raw, depth + 1);
      if (item === omitted) item = this.#portable ? null : undefined;
      else if (item === undefined && this.#portable) {
        item = this.#refuse(
          "is undefined (or a hole) inside an array",
          "JSON would store null there: use null explicitly.",
          () => null,
        );
      }
      copy.push(item);
      this.#path.pop();
    }
    this.#open.delete(array);
    return copy;
  }

  #date(date: Date): Walked {
    const valid = !Number.isNaN(date.getTime());
    if (this.#portable) {
      return this.#refuse(
        "is a Date",
        "portable_json has no date type: store date.toISOString() or epoch milliseconds, or use js_superjson.",
        () => (valid ? date.toISOString() : null),
      );
    }
    if (!valid) {
      return this.#refuse("is an invalid Date", "superjson would store it as null: store null instead.", () => null);
    }
    return this.#keep(date);
  }

  #map(map: ReadonlyMap<unknown, unknown>, depth: number): Walked {
    if (this.#portable) {
      return this.#refuse(
        "is a Map",
        "portable_json has no Map: convert it with Object.fromEntries(map) or [...map], or use js_superjson.",
        () =>
          this.#converted(map, depth, () =>
            [...map.keys()].every((k) => typeof k === "string") ? Object.fromEntries(map) : [...map],
          ),
      );
    }
    const copy = new Map<unknown, unknown>();
    this.#enter(map, copy);
    let index = 0;
    for (const [key, value] of map) {
      this.#path.push({ kind: "map key", index });
      const k = this.walk(key, depth + 1);
      this.#path.pop();
      this.#path.push({ kind: "map value", index });
      const v = this.walk(value, depth + 1);
      this.#path.pop();
      if (k !== omitted) copy.set(k, v === omitted ? undefined : v);
      index++;
    }
    this.#open.delete(map);
    return copy;
  }

  #set(set: ReadonlySet<unknown>, depth: number): Walked {
    if (this.#portable) {
      return this.#refuse("is a Set", "portable_json has no Set: convert it with [...set], or use js_superjson.", () =>
        this.#converted(set, depth, () => [...set]),
      );
    }
    const copy = new Set<unknown>();
    this.#enter(set, copy);
    let index = 0;
    for (const item of set) {
      this.#path.push({ kind: "set item", index });
      const v = this.walk(item, depth + 1);
      this.#path.pop();
      if (v !== omitted) copy.add(v);
      index++;
    }
    this.#open.delete(set);
    return copy;
  }

  #binary(view: ArrayBufferView, depth: number): Walked {
    if (view instanceof DataView) {
      return this.#refuse(
        "is a DataView",
        "Store the bytes as a Buffer or Uint8Array (js_superjson), or as base64 text.",
      );
    }
    const name = view.constructor.name;
    if (Buffer.isBuffer(view)) {
      return this.#portable
        ? this.#refuse("is a Buffer", "JSON has no bytes: store buffer.toString('base64'), or use js_superjson.", () =>
            view.toString("base64"),
          )
        : this.#keep(view);
    }
    if (!this.#portable && superjsonTypedArrays.has(name)) {
      // superjson stores the elements as a bare JSON array: NaN and ±Infinity would come back 0.
      if (!(view instanceof Float32Array || view instanceof Float64Array) || view.every(isPlainFloat)) {
        return this.#keep(view);
      }
      return this.#refuse(
        `is ${article(name)} holding NaN, Infinity or -0, which superjson would read back as 0`,
        "Store a plain array of numbers instead (superjson keeps NaN, Infinity and -0 there).",
        () => this.#converted(view, depth, () => Array.from(view)),
      );
    }
    return this.#refuse(
      this.#portable ? `is ${article(name)}` : `is ${article(name)}, which superjson cannot revive`,
      "Convert it with Array.from(...), or copy it into a Uint8Array, Float64Array or another standard typed array.",
      () => this.#converted(view, depth, () => Array.from(view as unknown as ArrayLike<unknown>)),
    );
  }

  #error(error: Error, depth: number): Walked {
    if (this.#options.errorsAsRecords === true) return this.#errorRecord(error, depth);
    if (!this.#portable) return this.#keep(error);
    return this.#refuse(
      "is an Error",
      "portable_json stores errors only as a workflow's or step's error: put the fields you need (name, " +
        "message, …) in plain data.",
      () => ({ name: String(error.name), message: String(error.message) }),
    );
  }

  /** serialize-error's shape (what DBOS stores): own fields first, then name, message, stack. */
  #errorRecord(error: Error, depth: number): Walked {
    const record: Record<string, unknown> = {};
    this.#enter(error, record);
    for (const key of Object.keys(error)) this.#field(record, error, key, depth);
    for (const key of ["name", "message", "stack"] as const) {
      if (Object.hasOwn(record, key)) continue;
      const value = this.#read(error, key);
      if (typeof value === "string") define(record, key, value);
    }
    if (typeof record.name !== "string") define(record, "name", "Error");
    if (typeof record.message !== "string") define(record, "message", "");
    // Our decoder (like serialize-error's `isErrorLike`) recognises an error by name, message and stack.
    if (typeof record.stack !== "string") {
      define(record, "stack", `${String(record.name)}: ${String(record.message)}`);
    }
    const code = Object.hasOwn(record, "code") ? undefined : this.#read(error, "code");
    if (typeof code === "string" || typeof code === "number") define(record, "code", code);
    // `cause` and AggregateError's `errors` are usually non-enumerable, so Object.keys missed them.
    for (const key of ["cause", "errors"] as const) {
      if (Object.hasOwn(record, key)) continue;
      const value = this.#read(error, key);
      if (value === undefined || value === omitted) continue;
      if (key === "errors" && !Array.isArray(value)) continue;
      this.#path.push(key);
      const walked = this.walk(value, depth + 1);
      this.#path.pop();
      if (walked !== omitted) define(record, key, walked);
    }
    this.#open.delete(error);
    return record;
  }

  #record(obj: object, depth: number): Walked {
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== null && proto !== Object.prototype) {
      const toJSON = this.#read(obj, "toJSON");
      if (typeof toJSON === "function") {
        let json: unknown;
        try {
          json = (toJSON as (key: string) => unknown).call(obj, "");
        } catch (cause) {
          return this.#refuse(
            "could not be converted: its toJSON() threw",
            "Fix its toJSON() method, or store plain data.",
            undefined,
            cause,
          );
        }
        if (json !== obj) {
          const out = this.walk(json, depth);
          this.#copies.set(obj, out);
          return out;
        }
      }
    }
    const copy: Record<string, unknown> = {};
    this.#enter(obj, copy);
    for (const key of Object.keys(obj)) this.#field(copy, obj, key, depth);
    this.#open.delete(obj);
    return copy;
  }

  #field(copy: Record<string, unknown>, source: object, key: string, depth: number): void {
    if (!this.#portable && forbiddenSuperjsonKeys.has(key)) {
      this.#refuse(
        `has a key named "${key}"`,
        "superjson refuses such keys (a prototype-pollution guard): rename the key, or store the value as " +
          "portable_json.",
      );
      return;
    }
    this.#path.push(key);
    const raw = this.#read(source, key);
    const value = raw === omitted ? omitted : this.walk(raw, depth + 1);
    this.#path.pop();
    if (value === omitted || (value === undefined && this.#portable)) return;
    define(copy, key, value);
  }

  /** Lenient conversion of a container into plain data, guarding against cycles through it. */
  #converted(original: object, depth: number, convert: () => unknown): Walked {
    this.#enter(original, "[Circular]");
    const out = this.walk(convert(), depth);
    this.#open.delete(original);
    this.#copies.set(original, out);
    return out;
  }

  /** Reads a property whose path the caller has already pushed; a throwing getter is refused. */
  #read(container: object, key: PropertyKey): unknown {
    try {
      return (container as Record<PropertyKey, unknown>)[key];
    } catch (cause) {
      return this.#refuse("could not be read (its getter threw)", "Make it a plain data property.", undefined, cause);
    }
  }

  #keep(obj: object): Walked {
    this.#copies.set(obj, obj);
    return obj;
  }

  #enter(original: object, copy: unknown): void {
    this.#copies.set(original, copy);
    this.#open.add(original);
  }

  /** Strict: throw a typed error for the current path. Lenient: fall back, or drop the part. */
  #refuse(problem: string, fix: string, fallback?: () => unknown, cause?: unknown): Walked {
    if (this.#lenient) return fallback === undefined ? omitted : fallback();
    throw serializationError({
      where: this.#options.where,
      format: this.#options.format,
      problem,
      fix,
      path: [...this.#path],
      cause,
    });
  }
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty, not assignment: a key named "__proto__" must stay an inert own property.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function article(noun: string): string {
  // "a Uint8Array", "an Int32Array": a leading U in these names sounds like "you".
  return `${/^[AEIO]/i.test(noun) ? "an" : "a"} ${noun}`;
}

function isPlainFloat(n: number): boolean {
  return Number.isFinite(n) && !Object.is(n, -0);
}

function isError(value: object): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === "[object Error]";
}
