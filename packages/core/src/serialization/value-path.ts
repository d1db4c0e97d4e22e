// Names the part of a value that could not be stored, so an error message can point at it
// (`$.items[2]`) instead of saying only that "something" was wrong.

/** One step from a container to a part of it. */
export type ValuePathSegment =
  | string
  | number
  | { readonly kind: "map key" | "map value" | "set item"; readonly index: number };

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Renders a path JSONPath-style: `$` is the value itself, `$.items[2]`, `$["a.b"]`,
 * `$.prices<map value 0>` for the value of a Map's first entry.
 */
export function formatValuePath(path: readonly ValuePathSegment[]): string {
  let out = "$";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string") {
      out += identifier.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
    } else out += `<${segment.kind} ${segment.index}>`;
  }
  return out;
}
