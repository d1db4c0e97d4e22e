// Guards superjson's `meta` before superjson walks it: stored rows are untrusted input, and the
// meta paths are exactly where superjson once allowed prototype pollution (CVE-2022-23631).

import { corruptRowFix, deserializationError } from "./serialization-errors.js";
import { superjsonTypedArrays } from "./superjson-typed-arrays.js";
import { parseSuperjsonPath } from "./superjson-path.js";

/** The meta superjson is allowed to apply. */
export interface SanitizedMeta {
  values?: unknown;
  referentialEqualities?: unknown;
  v?: number;
}

/** The custom recipe name our decoder uses in place of superjson's own `typed-array` rule. */
export function typedArrayRecipeName(constructorName: string): string {
  return `durably:typed-array:${constructorName}`;
}

const simpleAnnotations = new Set(["undefined", "bigint", "Date", "Error", "regexp", "set", "map", "number", "URL"]);
const forbiddenSegments = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Checks superjson's `meta` and returns a copy that is safe to apply, or throws a
 * `DESERIALIZATION` `DurablyError`.
 *
 * - Every path (value annotations and referential equalities) is split as superjson will split
 *   it; a `__proto__`, `constructor` or `prototype` segment is refused, whatever superjson's own
 *   checks (superjson 2.2.5 has them too: this is the second lock).
 * - Only the annotations durably writes are accepted; `class` and `symbol` annotations (which
 *   revive registered classes) are refused.
 * - `typed-array` annotations are redirected to recipes that insist on an array of numbers, so
 *   a hostile `{"json":1e9,…}` cannot make superjson allocate a billion-element typed array.
 */
export function sanitizeSuperjsonMeta(meta: unknown, where: string): SanitizedMeta | undefined {
  if (meta === undefined) return undefined;
  // Typed on the binding, so a bare `fail(…)` statement narrows like a throw.
  const fail: (problem: string) => never = (problem) => {
    throw deserializationError({ where, format: "js_superjson", problem, fix: corruptRowFix });
  };
  if (!isRecord(meta)) return fail("its superjson meta is not an object");
  const version = meta.v;
  if (version !== undefined && typeof version !== "number") {
    return fail("its superjson meta version is not a number");
  }
  // superjson: `meta.v ?? 0`; below 1 paths use the 1.x escaping (what DBOS writes).
  const legacy = (version ?? 0) < 1;

  const segmentsOf = (path: unknown): string[] => {
    if (typeof path !== "string") return fail("a superjson meta path is not a string");
    const segments = parseSuperjsonPath(path, legacy);
    if (segments === undefined) return fail(`the superjson meta path ${JSON.stringify(path)} is malformed`);
    for (const segment of segments) {
      if (forbiddenSegments.has(segment)) {
        fail(
          `the superjson meta path ${JSON.stringify(path)} walks through "${segment}" (a prototype-pollution attempt)`,
        );
      }
    }
    return segments;
  };

  const annotation = (type: unknown): unknown => {
    if (typeof type === "string" && simpleAnnotations.has(type)) return type;
    if (Array.isArray(type) && type.length === 2) {
      const [kind, name] = type as [unknown, unknown];
      if (kind === "typed-array" && typeof name === "string" && superjsonTypedArrays.has(name)) {
        return ["custom", typedArrayRecipeName(name)];
      }
      if (kind === "custom" && name === "Buffer") return ["custom", "Buffer"];
      if (kind === "class" || kind === "symbol") {
        return fail(`its superjson meta revives a registered ${kind}, which durably never does`);
      }
    }
    return fail(`its superjson meta holds an unknown type annotation ${safeJson(type)}`);
  };

  // Mirrors superjson's `traverse`: a node is [type] or [type, {path: node}], or a {path: node} record.
  const tree = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      if (node.length < 1 || node.length > 2) return fail("its superjson meta has a malformed node");
      const type = annotation(node[0]);
      return node.length === 1 || node[1] === undefined ? [type] : [type, children(node[1])];
    }
    return children(node);
  };
  const children = (node: unknown): Record<string, unknown> => {
    if (!isRecord(node)) return fail("its superjson meta has a malformed node");
    const out: Record<string, unknown> = {};
    for (const [path, child] of Object.entries(node)) {
      segmentsOf(path);
      out[path] = tree(child);
    }
    return out;
  };

  const equalities = (node: unknown): unknown => {
    const record = (r: unknown): void => {
      if (!isRecord(r)) fail("its superjson referential equalities are malformed");
      for (const [path, identical] of Object.entries(r)) {
        segmentsOf(path);
        if (!Array.isArray(identical)) fail("its superjson referential equalities are malformed");
        identical.forEach(segmentsOf);
      }
    };
    if (Array.isArray(node)) {
      // The root form: [pathsEqualToTheRoot, {path: identicalPaths}?].
      const [root, rest] = node as [unknown, unknown];
      if (!Array.isArray(root) || node.length > 2) {
        return fail("its superjson referential equalities are malformed");
      }
      root.forEach(segmentsOf);
      if (rest !== undefined) record(rest);
    } else {
      record(node);
    }
    return node;
  };

  const out: SanitizedMeta = {};
  if (meta.values !== undefined) out.values = tree(meta.values);
  if (meta.referentialEqualities !== undefined) {
    out.referentialEqualities = equalities(meta.referentialEqualities);
  }
  if (version !== undefined) out.v = version;
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
