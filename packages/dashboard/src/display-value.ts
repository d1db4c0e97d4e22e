// Decoded workflow values (superjson keeps Date, Map, Set, BigInt, errors) turned into plain JSON for
// the UI's value tree, each special type labelled so it is not mistaken for a string or object.
// Bounded: long strings, big collections and deep nesting are cut, and cycles are named.

const maxString = 10_000;
const maxItems = 500;
const maxDepth = 20;

/** A JSON value the UI's tree renders as text, with types such as `Map(2)` shown in keys and labels. */
export type DisplayValue = null | boolean | number | string | DisplayValue[] | { [key: string]: DisplayValue };

/** Converts `value` for display. */
export function toDisplayValue(value: unknown): DisplayValue {
  return convert(value, 0, new Set());
}

function convert(value: unknown, depth: number, seen: Set<object>): DisplayValue {
  if (value === null) return null;
  if (value === undefined) return "[undefined]";
  if (typeof value === "string") return value.length > maxString ? `${value.slice(0, maxString)}… (cut)` : value;
  if (typeof value === "number") return Number.isFinite(value) ? value : `[number] ${String(value)}`;
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return `[BigInt] ${value}n`;
  if (typeof value === "symbol" || typeof value === "function") return `[${typeof value}] ${String(value)}`;
  if (value instanceof Date) return `[Date] ${Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()}`;
  if (value instanceof RegExp) return `[RegExp] ${String(value)}`;
  const object = value as object;
  if (seen.has(object)) return "[cycle]";
  if (depth >= maxDepth) return "[nested too deep]";
  seen.add(object);
  try {
    if (value instanceof Map) {
      const entries = [...value.entries()].slice(0, maxItems);
      return {
        [`[Map(${value.size})]`]: entries.map(([k, v]) => [convert(k, depth + 1, seen), convert(v, depth + 1, seen)]),
      };
    }
    if (value instanceof Set) {
      return { [`[Set(${value.size})]`]: [...value].slice(0, maxItems).map((v) => convert(v, depth + 1, seen)) };
    }
    if (Array.isArray(value)) {
      const items = value.slice(0, maxItems).map((v) => convert(v, depth + 1, seen));
      if (value.length > maxItems) items.push(`… ${value.length - maxItems} more`);
      return items;
    }
    const out: { [key: string]: DisplayValue } = {};
    if (value instanceof Error) {
      out["[Error]"] = value.name;
      out.message = value.message;
    }
    let count = 0;
    for (const key of Object.keys(value)) {
      if (count++ >= maxItems) {
        out["…"] = "more keys cut";
        break;
      }
      out[key] = convert((value as Record<string, unknown>)[key], depth + 1, seen);
    }
    if (value instanceof Error && value.stack !== undefined) out.stack = convert(value.stack, depth + 1, seen);
    return out;
  } finally {
    seen.delete(object);
  }
}
