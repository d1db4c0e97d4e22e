// Splits a superjson meta path ("a.b\\.c") into its segments exactly as superjson 2.x does,
// so the guard that inspects meta paths sees the same segments superjson will walk.

/**
 * The segments of `path`, or `undefined` when the path is malformed.
 *
 * `legacy` is superjson 1.x's reading (meta without `v`, as DBOS writes): only `\.` is an escape.
 * Otherwise (`v: 1`) `\\` is an escaped backslash and any other backslash is malformed.
 */
export function parseSuperjsonPath(path: string, legacy: boolean): string[] | undefined {
  const segments: string[] = [];
  let segment = "";
  for (let i = 0; i < path.length; i++) {
    const char = path.charAt(i);
    const next = path.charAt(i + 1);
    if (char === "\\" && next === ".") {
      segment += ".";
      i++;
    } else if (char === "\\" && !legacy) {
      if (next !== "\\") return undefined;
      segment += "\\";
      i++;
    } else if (char === ".") {
      segments.push(segment);
      segment = "";
    } else {
      segment += char;
    }
  }
  segments.push(segment);
  return segments;
}

/** True when some segment of a path written with `v: 1` escaping holds a backslash. */
export function pathHasEscapedBackslash(path: string): boolean {
  // In v1 escaping a backslash inside a key is the only source of two adjacent backslashes.
  return path.includes("\\\\");
}
