import { isDurablyError } from "@durably/sysdb";
import { afterEach, describe, expect, it } from "vitest";
import { decodeError, decodeValue, decodeWorkflowInput } from "../../src/serialization/index.js";

const marker = '"__dbos_serializer":"superjson"';
const objectPrototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

function polluted(): boolean {
  const probe = {} as Record<string, unknown>;
  return (
    probe.polluted !== undefined ||
    probe.isAdmin !== undefined ||
    JSON.stringify(Object.getOwnPropertyNames(Object.prototype).sort()) !== JSON.stringify(objectPrototypeKeys)
  );
}

afterEach(() => {
  expect(polluted()).toBe(false);
});

describe("hostile js_superjson meta", () => {
  it.each([
    ["a value path through __proto__", `{"json":{},"meta":{"values":{"__proto__.polluted":["undefined"]}},${marker}}`],
    [
      "a value path through constructor.prototype",
      `{"json":{},"meta":{"values":{"constructor.prototype.polluted":["Date"]}},${marker}}`,
    ],
    [
      "a nested value path through __proto__",
      `{"json":{"a":[]},"meta":{"values":{"a":["set",{"__proto__.polluted":["Date"]}]}},${marker}}`,
    ],
    ["a value path ending at prototype", `{"json":{"f":{}},"meta":{"values":{"f.prototype":["map"]}},${marker}}`],
    ["a v1 value path through __proto__", `{"json":{},"meta":{"values":{"a.__proto__":["Date"]},"v":1},${marker}}`],
    [
      "a referential equality into __proto__",
      `{"json":{"a":{"polluted":1}},"meta":{"referentialEqualities":{"a":["__proto__"]}},${marker}}`,
    ],
    [
      "a referential equality from __proto__",
      `{"json":{"a":1},"meta":{"referentialEqualities":{"__proto__":["a"]}},${marker}}`,
    ],
    [
      "a root equality through constructor",
      `{"json":{"a":1},"meta":{"referentialEqualities":[["constructor.prototype.isAdmin"]]},${marker}}`,
    ],
    [
      "the CVE-2022-23631 payload",
      `{"json":{"a":{"polluted":"yes"}},"meta":{"referentialEqualities":{"a":["__proto__.__proto__"]}},${marker}}`,
    ],
  ])("refuses %s with a typed error and pollutes nothing", (_label, text) => {
    let caught: unknown;
    try {
      decodeValue(text, "js_superjson", "js_superjson", "workflow input");
    } catch (error) {
      caught = error;
    }
    expect(isDurablyError(caught, "DESERIALIZATION")).toBe(true);
    expect((caught as Error).message).toContain("prototype-pollution attempt");
  });

  it("refuses the same payloads through decodeWorkflowInput and decodeError", () => {
    const text = `{"json":[{}],"meta":{"values":{"0.__proto__.polluted":["Date"]}},${marker}}`;
    expect(() => decodeWorkflowInput(text, "js_superjson", "js_superjson")).toThrow(/prototype-pollution/);
    expect(() => decodeError(text, "js_superjson", "js_superjson", "error")).toThrow(/prototype-pollution/);
  });
});

describe("hostile data keys", () => {
  it.each([
    ["js_superjson", `{"json":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}},${marker}}`],
    [
      "js_superjson",
      `{"json":{"m":[["__proto__",{"polluted":1}]],"__proto__":{"isAdmin":true}},"meta":{"values":{"m":["map"` +
        `]}},${marker}}`,
    ],
    ["js_superjson", '{"__proto__":{"polluted":1}}'],
    ["portable_json", '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}'],
  ])("keeps __proto__ / constructor keys as inert own data (%s)", (format, text) => {
    const value = decodeValue(text, format, "js_superjson", "message") as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(value.polluted).toBeUndefined();
    expect(value.isAdmin).toBeUndefined();
  });

  it("keeps hostile keys inert on decoded errors too", () => {
    const text = `{"json":{"name":"E","message":"m","stack":"s","__proto__":{"polluted":1},"constructor":5},${marker}}`;
    const error = decodeError(text, "js_superjson", "js_superjson", "error") as Error & Record<string, unknown>;
    expect(error).toBeInstanceOf(Error);
    expect(Object.getPrototypeOf(error)).toBe(Error.prototype);
    expect(Object.hasOwn(error, "__proto__")).toBe(true);
    expect(error.polluted).toBeUndefined();
    const portable = decodeError(
      '{"name":"E","message":"m","code":null,"data":{"__proto__":{"polluted":1}}}',
      "portable_json",
      "js_superjson",
      "error",
    ) as Error & { data: Record<string, unknown> };
    expect(portable.data.polluted).toBeUndefined();
    expect(Object.hasOwn(portable.data, "__proto__")).toBe(true);
  });
});
