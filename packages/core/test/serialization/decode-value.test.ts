import { DBOSJSON } from "@dbos-inc/dbos-sdk/internal/serialization";
import { isDurablyError, type DurablyError } from "@durably/sysdb";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue } from "../../src/serialization/index.js";

function deserializationFailure(fn: () => unknown): DurablyError {
  try {
    fn();
  } catch (error) {
    if (isDurablyError(error, "DESERIALIZATION")) return error;
    throw error;
  }
  throw new Error("expected a DESERIALIZATION DurablyError, but nothing was thrown");
}

const decodeSuperjson = (text: string): unknown => decodeValue(text, "js_superjson", "js_superjson", "workflow output");

describe("decodeValue reading what DBOS wrote", () => {
  it("decodes DBOS's stored inputs, plain and rich", () => {
    expect(decodeSuperjson('{"json":[10],"__dbos_serializer":"superjson"}')).toStrictEqual([10]);
    expect(
      decodeSuperjson(
        '{"json":[{"when":"2025-01-02T03:04:05.000Z","m":[["a",1]],"big":"10","u":null}],"meta":{"values":{"0' +
          '.when":["Date"],"0.m":["map"],"0.big":["bigint"],"0.u":["undefined"]}},"__dbos_serializer":"superjso' +
          'n"}',
      ),
    ).toStrictEqual([{ when: new Date("2025-01-02T03:04:05.000Z"), m: new Map([["a", 1]]), big: 10n, u: undefined }]);
    expect(decodeSuperjson('{"json":"result=22","__dbos_serializer":"superjson"}')).toBe("result=22");
    expect(decodeValue('"result=42"', "portable_json", "js_superjson", "output")).toBe("result=42");
  });

  it("decodes text without DBOS's marker as plain JSON (DBOS's older rows)", () => {
    expect(decodeSuperjson('{"simple":"object","n":42}')).toStrictEqual({ simple: "object", n: 42 });
    expect(decodeSuperjson('{"json":{"foo":"bar"}}')).toStrictEqual({ json: { foo: "bar" } });
    expect(decodeSuperjson('{"json":1,"__dbos_serializer":"other"}')).toStrictEqual({
      json: 1,
      __dbos_serializer: "other",
    });
    expect(decodeSuperjson("[1,2]")).toStrictEqual([1, 2]);
  });

  it("reads superjson 2's own output (meta v: 1) too", () => {
    expect(
      decodeSuperjson(
        '{"json":{"a\\\\b":"1970-01-01T00:00:00.000Z"},"meta":{"values":{"a\\\\\\\\b":["Date"]},"v":1},"__dbo' +
          's_serializer":"superjson"}',
      ),
    ).toStrictEqual({ "a\\b": new Date(0) });
  });

  it("reads a NULL value as null, and a NULL format as js_superjson when marked, else the configured default", () => {
    expect(decodeValue(null, "js_superjson", "js_superjson", "event")).toBeNull();
    expect(decodeValue(null, null, "portable_json", "event")).toBeNull();
    expect(decodeValue('{"json":[1],"__dbos_serializer":"superjson"}', null, "js_superjson", "x")).toStrictEqual([1]);
    // DBOS 5.3.0 records a portable workflow's DBOS.getResult step untagged, in js_superjson.
    const marked = '{"json":"1970-01-01T00:00:00.000Z","meta":{"values":["Date"]},"__dbos_serializer":"superjson"}';
    expect(decodeValue(marked, null, "portable_json", "x")).toStrictEqual(new Date(0));
    expect(decodeValue('{"json":[1],"__dbos_serializer":"other"}', null, "portable_json", "x")).toStrictEqual({
      json: [1],
      __dbos_serializer: "other",
    });
    expect(decodeValue('[{"__dbos_serializer":"superjson","json":1}]', null, "portable_json", "x")).toStrictEqual([
      { __dbos_serializer: "superjson", json: 1 },
    ]);
  });
});

describe("decodeValue interoperating with DBOS 5.3.0's own serializer", () => {
  const samples: Record<string, unknown> = {
    number: 10,
    string: "result=22",
    null: null,
    // Scalars take encodeValue's shortcut past the walk; it must write what the walk writes.
    ...Object.fromEntries(
      [true, 0, -42.5, 5e-324, "", 'é✓😀\u2028"\\', "\ud800", 1e300].map((v) => [`scalar ${JSON.stringify(v)}`, v]),
    ),
    undefined: undefined,
    nested: [{ when: new Date("2025-01-02T03:04:05.000Z"), m: new Map([["a", 1]]), big: 10n, u: undefined }],
    special: { nan: Number.NaN, inf: Number.NEGATIVE_INFINITY, negZero: -0, regexp: /p.t/g },
    collections: new Map<unknown, unknown>([[{ k: 1 }, new Set([1, "2"])]]),
    binary: { buffer: Buffer.from("legacy"), bytes: new Uint8Array([1, 2]), url: new URL("https://x.test/") },
    shared: (() => {
      const o = { a: 1 };
      return [o, new Map([[o, o]]), new Set([o])];
    })(),
    cyclic: (() => {
      const o: Record<string, unknown> = { name: "circular" };
      o.self = o;
      return o;
    })(),
  };

  it.each(Object.entries(samples))("writes byte-for-byte what DBOS writes: %s", (_name, value) => {
    expect(encodeValue(value, "js_superjson", "x")).toBe(DBOSJSON.stringify(value));
  });

  it.each(Object.entries(samples))("reads DBOS's text, and DBOS reads ours: %s", (_name, value) => {
    expect(decodeSuperjson(DBOSJSON.stringify(value))).toStrictEqual(value);
    expect(DBOSJSON.parse(encodeValue(value, "js_superjson", "x"))).toStrictEqual(value);
  });

  it("escapes dotted keys, which DBOS's superjson 1.x writes unescaped; DBOS reads ours right", () => {
    const value = { "a.b": new Date(3), x: { "c.d": 1n } };
    const ours = encodeValue(value, "js_superjson", "x");
    expect(JSON.parse(ours).meta).toStrictEqual({ values: { "a\\.b": ["Date"], "x.c\\.d": ["bigint"] } });
    expect(DBOSJSON.parse(ours)).toStrictEqual(value);
    expect(decodeSuperjson(ours)).toStrictEqual(value);
    // DBOS's own text for such keys loses the types for every reader, DBOS included.
    const theirs = DBOSJSON.stringify(value);
    expect(JSON.parse(theirs).meta).toStrictEqual({ values: { "a.b": ["Date"], "x.c.d": ["bigint"] } });
    expect(decodeSuperjson(theirs)).toStrictEqual(DBOSJSON.parse(theirs));
  });
});

describe("decodeValue refusing corrupt rows", () => {
  it.each([
    ["js_superjson", "{not json"],
    ["js_superjson", ""],
    ["portable_json", "{not json"],
    ["portable_json", "undefined"],
  ])("refuses invalid JSON stored as %s", (format, text) => {
    const error = deserializationFailure(() => decodeValue(text, format, "js_superjson", "output of step charge"));
    expect(error.message).toContain(`Cannot read output of step charge stored as ${format}`);
    expect(error.message).toContain("not valid JSON");
  });

  it("refuses a format it does not read, naming it", () => {
    const error = deserializationFailure(() =>
      decodeValue("gASVBQAAAAAAAACMAWGULg==", "py_pickle", "js_superjson", "workflow input"),
    );
    expect(error.message).toContain("stored as py_pickle");
    expect(error.message).toContain("portable_json");
    expect(error.details).toMatchObject({ format: "py_pickle" });
  });

  it.each([
    ["a marker without json", '{"meta":{},"__dbos_serializer":"superjson"}', "no json field"],
    ["meta that is not an object", '{"json":1,"meta":[1],"__dbos_serializer":"superjson"}', "meta is not an object"],
    ["a meta version that is not a number", '{"json":1,"meta":{"v":"1"},"__dbos_serializer":"superjson"}', "version"],
    [
      "an unknown annotation",
      '{"json":1,"meta":{"values":["toString"]},"__dbos_serializer":"superjson"}',
      "unknown type annotation",
    ],
    [
      "a class annotation",
      '{"json":{},"meta":{"values":[["class","User"]]},"__dbos_serializer":"superjson"}',
      "registered class",
    ],
    [
      "a symbol annotation",
      '{"json":"s","meta":{"values":[["symbol","s"]]},"__dbos_serializer":"superjson"}',
      "registered symbol",
    ],
    [
      "an unknown custom recipe",
      '{"json":1,"meta":{"values":[["custom","Decimal"]]},"__dbos_serializer":"superjson"}',
      "unknown type annotation",
    ],
    [
      "a malformed v1 path",
      '{"json":{},"meta":{"values":{"a\\\\b":["Date"]},"v":1},"__dbos_serializer":"superjson"}',
      "malformed",
    ],
    [
      "a bigint that is not a number",
      '{"json":"ten","meta":{"values":["bigint"]},"__dbos_serializer":"superjson"}',
      "superjson could not revive it",
    ],
    [
      "a Map that is not a list of pairs",
      '{"json":5,"meta":{"values":["map"]},"__dbos_serializer":"superjson"}',
      "superjson could not revive it",
    ],
    [
      "Buffer data that is not an array",
      '{"json":{"length":1000000000},"meta":{"values":[["custom","Buffer"]]},"__dbos_serializer":"superjson"}',
      "could not revive",
    ],
    [
      "a typed array sized by a number",
      '{"json":1000000000,"meta":{"values":[["typed-array","Float64Array"]]},"__dbos_serializer":"superjson"}',
      "could not revive",
    ],
  ])("refuses %s", (_label, text, expected) => {
    const error = deserializationFailure(() => decodeSuperjson(text));
    expect(error.message).toContain("Cannot read workflow output stored as js_superjson");
    expect(error.message).toContain(expected);
  });

  it("refuses meta nested deeply enough to overflow the stack with a typed error", () => {
    const depth = 100_000;
    const meta = `${'{"a":'.repeat(depth)}["Date"]${"}".repeat(depth)}`;
    const error = deserializationFailure(() =>
      decodeSuperjson(`{"json":{},"meta":{"values":${meta}},"__dbos_serializer":"superjson"}`),
    );
    expect(error.message).toContain("js_superjson");
  });
});
