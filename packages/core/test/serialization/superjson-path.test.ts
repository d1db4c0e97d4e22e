import { describe, expect, it } from "vitest";
import { parseSuperjsonPath, pathHasEscapedBackslash } from "../../src/serialization/superjson-path.js";

describe("parseSuperjsonPath", () => {
  it.each([
    ["a.b", false, ["a", "b"]],
    ["a\\.b.c", false, ["a.b", "c"]],
    ["a\\\\b", true, ["a\\\\b"]],
    ["a\\\\b", false, ["a\\b"]],
    ["a\\\\.b", false, ["a\\", "b"]],
    ["", true, [""]],
    ["0.1", true, ["0", "1"]],
  ])("splits %j (legacy %s) as superjson does", (path, legacy, segments) => {
    expect(parseSuperjsonPath(path, legacy)).toStrictEqual(segments);
  });

  it("rejects a v1 path with a stray backslash", () => {
    expect(parseSuperjsonPath("a\\b", false)).toBeUndefined();
    expect(parseSuperjsonPath("a\\b", true)).toStrictEqual(["a\\b"]);
  });

  it("spots a key holding a backslash in v1 escaping only", () => {
    expect(pathHasEscapedBackslash("a\\\\b")).toBe(true);
    expect(pathHasEscapedBackslash("a\\.b\\.c")).toBe(false);
  });
});
