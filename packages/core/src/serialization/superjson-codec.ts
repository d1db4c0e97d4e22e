// The superjson half of js_superjson: one configured SuperJSON instance, DBOS's envelope with
// its `__dbos_serializer` marker, and output that DBOS's superjson 1.x reads unchanged.

import SuperJSON, { type SuperJSONResult, type SuperJSONValue } from "superjson";
import { superjsonTypedArrays } from "./superjson-typed-arrays.js";
import { corruptRowFix, deserializationError } from "./serialization-errors.js";
import { sanitizeSuperjsonMeta, typedArrayRecipeName } from "./sanitize-superjson-meta.js";
import { pathHasEscapedBackslash } from "./superjson-path.js";

/** DBOS's marker: a js_superjson row is `{"json":…,"meta":…,"__dbos_serializer":"superjson"}`. */
export const superjsonMarkerKey = "__dbos_serializer";
export const superjsonMarkerValue = "superjson";

// Configured once here and never changed afterwards: a constant, not shared mutable state.
const codec = new SuperJSON();
// DBOS registers the same recipe under the same name, so Buffers cross over both ways.
codec.registerCustom<Buffer, number[]>(
  {
    isApplicable: (v): v is Buffer => Buffer.isBuffer(v),
    serialize: (v) => Array.from(v),
    deserialize: (v) => Buffer.from(numberArray(v)),
  },
  "Buffer",
);
// Read-only stand-ins for superjson's typed-array rule (see sanitize-superjson-meta.ts).
type TypedArrayConstructor = new (items: readonly number[]) => ArrayBufferView;
for (const name of superjsonTypedArrays) {
  const TypedArray = (globalThis as unknown as Record<string, TypedArrayConstructor>)[name];
  if (TypedArray === undefined) continue;
  codec.registerCustom<never, number[]>(
    {
      isApplicable: (_v): _v is never => false,
      serialize: () => [],
      deserialize: (v) => new TypedArray(numberArray(v)) as never,
    },
    typedArrayRecipeName(name),
  );
}

/** What {@link writeSuperjsonText} writes for a scalar superjson keeps as it is (no meta). */
export function writeSuperjsonScalar(value: string | number | boolean | null): string {
  return `{"json":${JSON.stringify(value)},"${superjsonMarkerKey}":"${superjsonMarkerValue}"}`;
}

/** Writes an already-normalized value in DBOS's js_superjson envelope. */
export function writeSuperjsonText(normalized: unknown): string {
  const { json, meta } = codec.serialize(normalized as SuperJSONValue);
  const envelope: Record<string, unknown> = { json: json === undefined ? null : json };
  if (meta !== undefined) envelope.meta = readableBySuperjson1(meta);
  envelope[superjsonMarkerKey] = superjsonMarkerValue;
  return JSON.stringify(envelope);
}

/**
 * Reads js_superjson text. Text without the marker is plain JSON (DBOS's rows from before the
 * marker) and is returned as parsed; marked text has its meta checked, then applied.
 */
export function readSuperjsonText(text: string, where: string): unknown {
  const parsed = parseJson(text, "js_superjson", where);
  if (!isMarked(parsed)) return parsed;
  if (!Object.hasOwn(parsed, "json")) {
    throw deserializationError({
      where,
      format: "js_superjson",
      problem: "it carries the superjson marker but no json field",
      fix: corruptRowFix,
    });
  }
  // Without meta there is nothing to revive: the JSON is the value (superjson would return it as is).
  if (parsed.meta === undefined) return parsed.json;
  const meta = sanitizeSuperjsonMeta(parsed.meta, where);
  const payload = { json: parsed.json, ...(meta === undefined ? {} : { meta }) };
  try {
    // inPlace: the parsed JSON is ours alone. superjson's copy step (copy-anything) would drop
    // "__proto__" keys (4.x) or turn them into prototypes (3.x); JSON.parse kept them inert.
    return codec.deserialize(payload as SuperJSONResult, { inPlace: true });
  } catch (cause) {
    throw deserializationError({
      where,
      format: "js_superjson",
      problem: `superjson could not revive it (${cause instanceof Error ? cause.message : String(cause)})`,
      fix: corruptRowFix,
      cause,
    });
  }
}

/** JSON.parse with a typed error; JSON.parse makes "__proto__" keys inert own properties. */
export function parseJson(text: string, format: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw deserializationError({
      where,
      format,
      problem: "the stored text is not valid JSON",
      fix: corruptRowFix,
      cause,
    });
  }
}

/** True when `text` is JSON whose top level carries DBOS's superjson marker (as DBOS's reader checks). */
export function isSuperjsonEnvelopeText(text: string): boolean {
  // Cheap test first: an envelope is an object that names the marker.
  if (!text.includes(superjsonMarkerKey) || !text.trimStart().startsWith("{")) return false;
  try {
    return isMarked(JSON.parse(text));
  } catch {
    return false;
  }
}

function isMarked(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, superjsonMarkerKey) &&
    (value as Record<string, unknown>)[superjsonMarkerKey] === superjsonMarkerValue
  );
}

/**
 * superjson 2.x tags its meta `v: 1` (backslashes inside keys escaped); DBOS's superjson 1.x
 * ignores `v` and reads paths the 1.x way. The two readings differ only for keys holding a
 * backslash, so drop `v` when no path has one: the text is then exactly what DBOS writes.
 */
function readableBySuperjson1(meta: NonNullable<SuperJSONResult["meta"]>): object {
  const paths: string[] = [];
  collectTreePaths(meta.values, paths);
  collectEqualityPaths(meta.referentialEqualities, paths);
  if (paths.some(pathHasEscapedBackslash)) return meta;
  const { v: _v, ...legacy } = meta;
  return legacy;
}

function collectTreePaths(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    collectTreePaths(node[1], out);
  } else if (typeof node === "object" && node !== null) {
    for (const [path, child] of Object.entries(node)) {
      out.push(path);
      collectTreePaths(child, out);
    }
  }
}

function collectEqualityPaths(node: unknown, out: string[]): void {
  if (Array.isArray(node)) {
    out.push(...(node[0] as string[]));
    collectEqualityPaths(node[1], out);
  } else if (typeof node === "object" && node !== null) {
    for (const [path, identical] of Object.entries(node)) out.push(path, ...(identical as string[]));
  }
}

function numberArray(value: unknown): number[] {
  if (!Array.isArray(value) || !value.every((n) => typeof n === "number")) {
    throw new TypeError("binary data must be stored as an array of numbers");
  }
  return value as number[];
}
