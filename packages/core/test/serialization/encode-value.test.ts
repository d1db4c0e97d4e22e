import { isDurablyError, type DurablyError } from "@durably/sysdb";
import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, type SerializationFormat } from "../../src/serialization/index.js";
import { writeNormalized } from "../../src/serialization/encode-value.js";
import { normalizeValue } from "../../src/serialization/normalize-value.js";

function roundTrip(value: unknown, format: SerializationFormat): unknown {
  return decodeValue(encodeValue(value, format, "test value"), format, "js_superjson", "test value");
}

function serializationFailure(fn: () => unknown): DurablyError {
  try {
    fn();
  } catch (error) {
    if (isDurablyError(error, "SERIALIZATION")) return error;
    throw error;
  }
  throw new Error("expected a SERIALIZATION DurablyError, but nothing was thrown");
}

describe("encodeValue as js_superjson", () => {
  it("writes exactly the text DBOS stores", () => {
    expect(encodeValue("result=22", "js_superjson", "output")).toBe(
      '{"json":"result=22","__dbos_serializer":"superjson"}',
    );
    const rich = [{ when: new Date("2025-01-02T03:04:05.000Z"), m: new Map([["a", 1]]), big: 10n, u: undefined }];
    expect(encodeValue(rich, "js_superjson", "input")).toBe(
      '{"json":[{"when":"2025-01-02T03:04:05.000Z","m":[["a",1]],"big":"10","u":null}],"meta":{"values":{"0.w' +
        'hen":["Date"],"0.m":["map"],"0.big":["bigint"],"0.u":["undefined"]}},"__dbos_serializer":"superjson"}',
    );
    expect(encodeValue(undefined, "js_superjson", "output")).toBe(
      '{"json":null,"meta":{"values":["undefined"]},"__dbos_serializer":"superjson"}',
    );
  });

  it("round-trips the types superjson keeps", () => {
    const value = {
      date: new Date("2024-05-01T13:11:00.223Z"),
      map: new Map<unknown, unknown>([
        ["k", new Set([1, 2])],
        [{ objectKey: true }, 3n],
      ]),
      set: new Set(["a", new Date(0)]),
      big: -12345678901234567890n,
      undef: undefined,
      regexp: /te.*st/gi,
      url: new URL("https://example.com/a?b=1"),
      buffer: Buffer.from("bytes"),
      floats: new Float64Array([1.5, -2]),
      bytes: new Uint8Array([1, 2, 255]),
      numbers: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e-300],
      nested: { deeper: [{ when: new Date(1), list: [undefined, null] }] },
      "dotted.key": new Date(2),
    };
    const back = roundTrip(value, "js_superjson") as typeof value;
    expect(back).toStrictEqual(value);
    expect(Object.is(back.numbers[3], -0)).toBe(true);
    expect(Buffer.isBuffer(back.buffer)).toBe(true);
    expect("undef" in back).toBe(true);
  });

  it("keeps shared references and circular references", () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { name: "loop", shared, again: shared };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, new Map([["me", cyclic]])];
    const back = roundTrip(cyclic, "js_superjson") as typeof cyclic;
    expect(back.self).toBe(back);
    expect(back.shared).toBe(back.again);
    const list = back.list as [unknown, Map<string, unknown>];
    expect(list[0]).toBe(back);
    expect(list[1].get("me")).toBe(back);
  });

  it("stores class instances as their own data, and calls toJSON when they have one", () => {
    class Money {
      constructor(
        readonly amount: bigint,
        readonly at: Date,
      ) {}
      twice(): bigint {
        return this.amount * 2n;
      }
    }
    class Tagged {
      toJSON(): string {
        return "tagged!";
      }
    }
    const back = roundTrip({ price: new Money(5n, new Date(7)), tag: new Tagged() }, "js_superjson");
    // Rich fields inside the instance survive (superjson alone would have stringified the Date).
    expect(back).toStrictEqual({ price: { amount: 5n, at: new Date(7) }, tag: "tagged!" });
  });

  it("unboxes boxed primitives and turns array holes into undefined", () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole itself is what this test encodes.
    const holey = [1, , 3];
    expect(roundTrip([Object(1), Object("s"), Object(true), Object(2n)], "js_superjson")).toStrictEqual([
      1,
      "s",
      true,
      2n,
    ]);
    expect(roundTrip(holey, "js_superjson")).toStrictEqual([1, undefined, 3]);
  });

  it("stores an Error nested in a value by name and message, as DBOS does", () => {
    const back = roundTrip({ failure: new RangeError("too far") }, "js_superjson") as {
      failure: Error;
    };
    expect(back.failure).toBeInstanceOf(Error);
    expect([back.failure.name, back.failure.message]).toEqual(["RangeError", "too far"]);
  });

  it("keeps superjson 2's escaping (v: 1) only when a key holds a backslash", () => {
    const text = encodeValue({ "a\\b": new Date(0), "c.d": 1n }, "js_superjson", "output");
    expect(JSON.parse(text).meta.v).toBe(1);
    expect(roundTrip({ "a\\b": new Date(0), "c.d": 1n, "e\\.f": 2n }, "js_superjson")).toStrictEqual({
      "a\\b": new Date(0),
      "c.d": 1n,
      "e\\.f": 2n,
    });
    expect(JSON.parse(encodeValue({ "c.d": 1n }, "js_superjson", "output")).meta).toStrictEqual({
      values: { "c\\.d": ["bigint"] },
    });
  });

  it.each([
    ["a function", { items: [1, 2, () => 3] }, "$.items[2] is a function"],
    ["a symbol", { tag: Symbol("t") }, "$.tag is a symbol"],
    ["a promise", { later: Promise.resolve(1) }, "$.later is a Promise"],
    ["a WeakMap", [new WeakMap()], "$[0] is a WeakMap"],
    ["an ArrayBuffer", { raw: new ArrayBuffer(2) }, "$.raw is an ArrayBuffer"],
    ["a DataView", { view: new DataView(new ArrayBuffer(2)) }, "$.view is a DataView"],
    ["a BigInt64Array", { xs: new BigInt64Array(1) }, "$.xs is a BigInt64Array"],
    ["an invalid Date", { at: new Date(Number.NaN) }, "$.at is an invalid Date"],
    ["a Float64Array holding NaN", { xs: new Float64Array([1, Number.NaN]) }, "$.xs is a Float64Array holding NaN"],
    ["a function inside a Map", new Map([["k", () => 1]]), "$<map value 0> is a function"],
    ["a bound method on an instance", { svc: { run: function run() {} } }, "$.svc.run is a function (run)"],
    ["a key named constructor", { a: { constructor: 1 } }, '$.a has a key named "constructor"'],
    ["a key named __proto__", JSON.parse('{"__proto__":1}'), 'has a key named "__proto__"'],
  ])("refuses %s, naming where it is", (_label, value, expected) => {
    const error = serializationFailure(() => encodeValue(value, "js_superjson", "workflow input"));
    expect(error.message).toContain("Cannot store workflow input as js_superjson");
    expect(error.message).toContain(expected);
  });

  it("refuses a property whose getter throws, keeping the getter's error as the cause", () => {
    const boom = new Error("no access");
    const value = {
      user: {
        get secret(): string {
          throw boom;
        },
      },
    };
    const error = serializationFailure(() => encodeValue(value, "js_superjson", "x"));
    expect(error.message).toContain("the value at $.user.secret could not be read");
    expect(error.cause).toBe(boom);
  });

  it("refuses a top-level function and a format it does not know", () => {
    expect(serializationFailure(() => encodeValue(() => 1, "js_superjson", "x")).message).toContain(
      "the value is a function",
    );
    const bad = serializationFailure(() => encodeValue(1, "py_pickle" as SerializationFormat, "output of step s"));
    expect(bad.message).toContain('"py_pickle" is not a format durably writes');
  });

  it("gives a typed error for a value nested too deeply to walk", () => {
    let deep: unknown[] = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(serializationFailure(() => encodeValue(deep, "js_superjson", "x")).message).toContain("nested too deeply");
  });
});

describe("encodeValue as portable_json", () => {
  it("writes plain JSON", () => {
    expect(encodeValue("result=42", "portable_json", "output")).toBe('"result=42"');
    expect(encodeValue({ sum: 6, list: [1, "a", null, true] }, "portable_json", "output")).toBe(
      '{"sum":6,"list":[1,"a",null,true]}',
    );
  });

  it("stores a top-level undefined as null, leaves undefined properties out, and -0 as 0", () => {
    expect(encodeValue(undefined, "portable_json", "output")).toBe("null");
    expect(encodeValue({ a: undefined, b: 1 }, "portable_json", "output")).toBe('{"b":1}');
    expect(encodeValue(-0, "portable_json", "output")).toBe("0");
  });

  it("keeps keys named __proto__, constructor and prototype as inert data", () => {
    const value = JSON.parse('{"__proto__":{"polluted":1},"constructor":2,"prototype":3}') as object;
    const back = roundTrip(value, "portable_json") as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, "__proto__")).toBe(true);
    expect(back).toStrictEqual(value);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("duplicates shared references, and stores toJSON results and class instance data", () => {
    const shared = { n: 1 };
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      norm(): number {
        return Math.hypot(this.x, this.y);
      }
    }
    expect(
      roundTrip({ a: shared, b: shared, url: new URL("https://x.test/"), p: new Point(1, 2) }, "portable_json"),
    ).toStrictEqual({ a: { n: 1 }, b: { n: 1 }, url: "https://x.test/", p: { x: 1, y: 2 } });
  });

  it.each([
    ["a Date", { when: new Date() }, "$.when is a Date", "toISOString"],
    ["a Map", { m: new Map() }, "$.m is a Map", "Object.fromEntries"],
    ["a Set", { s: new Set() }, "$.s is a Set", "[...set]"],
    ["a BigInt", { n: 1n }, "$.n is a BigInt", "toString()"],
    ["NaN", { n: Number.NaN }, "$.n is NaN", "JSON has no NaN"],
    ["Infinity", [Number.POSITIVE_INFINITY], "$[0] is Infinity", "JSON has no NaN"],
    ["undefined inside an array", { items: [1, undefined] }, "$.items[1] is undefined", "use null"],
    ["a RegExp", /x/, "the value is a RegExp", "js_superjson"],
    ["a Buffer", { b: Buffer.from("x") }, "$.b is a Buffer", "base64"],
    ["a Uint8Array", { b: new Uint8Array(1) }, "$.b is a Uint8Array", "Array.from"],
    ["an Error", { e: new Error("x") }, "$.e is an Error", "plain data"],
    ["a function", { items: [0, 1, function f() {}] }, "$.items[2] is a function (f)", "plain data"],
    ["a symbol", { s: Symbol() }, "$.s is a symbol", "string"],
  ])("refuses %s, naming where it is and what to do", (_label, value, where, fix) => {
    const error = serializationFailure(() => encodeValue(value, "portable_json", "output of step charge"));
    expect(error.message).toContain("Cannot store output of step charge as portable_json");
    expect(error.message).toContain(where);
    expect(error.message).toContain(fix);
    expect(error.details).toMatchObject({ format: "portable_json", where: "output of step charge" });
  });

  it("refuses circular references", () => {
    const cyclic: Record<string, unknown> = { a: [] };
    (cyclic.a as unknown[]).push(cyclic);
    expect(serializationFailure(() => encodeValue(cyclic, "portable_json", "x")).message).toContain(
      "$.a[0] refers back to one of its own containers",
    );
  });
});

describe("encodeValue's shortcut for scalars", () => {
  it.each([true, false, null, 0, 7, -42.5, 0.1, 1e300, 5e-324, "", 'é✓😀\u2028"\\', "\ud800"])(
    "writes %j exactly as the full walk does, in both formats",
    (value) => {
      for (const format of ["js_superjson", "portable_json"] as const) {
        const walked = writeNormalized(normalizeValue(value, { format, where: "x" }), format, "x");
        expect(encodeValue(value, format, "x")).toBe(walked);
      }
    },
  );

  it.each([-0, Number.NaN, Number.POSITIVE_INFINITY])("leaves %s, which JSON cannot keep, to the walk", (value) => {
    expect(roundTrip(value, "js_superjson")).toBe(value);
    expect(roundTrip(-0, "portable_json")).toBe(0);
    expect(serializationFailure(() => encodeValue(Number.NaN, "portable_json", "x")).message).toMatch(/NaN/);
  });
});
