import { DBOSJSON, serializeArgs } from "@dbos-inc/dbos-sdk/internal/serialization";
import { isDurablyError } from "@durably/sysdb";
import { describe, expect, it } from "vitest";
import { decodeWorkflowInput, encodeWorkflowInput } from "../../src/serialization/index.js";

function inputFailure(text: string, format: string): Error {
  try {
    decodeWorkflowInput(text, format, "js_superjson");
  } catch (error) {
    if (isDurablyError(error, "DESERIALIZATION")) return error;
    throw error;
  }
  throw new Error("expected a DESERIALIZATION DurablyError");
}

describe("decodeWorkflowInput", () => {
  it("reads the inputs DBOS stores", () => {
    expect(decodeWorkflowInput('{"json":[10],"__dbos_serializer":"superjson"}', "js_superjson", "js_superjson")).toBe(
      10,
    );
    expect(decodeWorkflowInput('{"positionalArgs":[20]}', "portable_json", "js_superjson")).toBe(20);
    expect(
      decodeWorkflowInput(
        '{"json":[{"when":"2025-01-02T03:04:05.000Z","m":[["a",1]],"big":"10","u":null}],"meta":{"values":{"0' +
          '.when":["Date"],"0.m":["map"],"0.big":["bigint"],"0.u":["undefined"]}},"__dbos_serializer":"superjso' +
          'n"}',
        "js_superjson",
        "js_superjson",
      ),
    ).toStrictEqual({ when: new Date("2025-01-02T03:04:05.000Z"), m: new Map([["a", 1]]), big: 10n, u: undefined });
  });

  it("maps DBOS argument lists onto one input: none → undefined, one → it, several → the array", async () => {
    for (const format of ["native", "portable"] as const) {
      const stored = format === "native" ? "js_superjson" : "portable_json";
      const text = async (args: unknown[]): Promise<string> =>
        (await serializeArgs(args, undefined, DBOSJSON, format)).serializedValue ?? "";
      expect(decodeWorkflowInput(await text([]), stored, "js_superjson")).toBeUndefined();
      expect(decodeWorkflowInput(await text([{ a: 1 }]), stored, "js_superjson")).toStrictEqual({ a: 1 });
      expect(decodeWorkflowInput(await text([1, "two", null]), stored, "js_superjson")).toStrictEqual([1, "two", null]);
    }
    expect(decodeWorkflowInput(null, "js_superjson", "js_superjson")).toBeUndefined();
  });

  it("reads named arguments alone as the input object, and refuses a mix", () => {
    expect(decodeWorkflowInput('{"namedArgs":{"order":"o-1"}}', "portable_json", "js_superjson")).toStrictEqual({
      order: "o-1",
    });
    expect(decodeWorkflowInput('{"positionalArgs":[3],"namedArgs":{}}', "portable_json", "js_superjson")).toBe(3);
    expect(inputFailure('{"positionalArgs":[3],"namedArgs":{"x":1}}', "portable_json").message).toContain(
      "both positional and named arguments",
    );
  });

  it("round-trips every input through both formats", () => {
    const inputs: unknown[] = [0, "", null, [1, 2], { nested: [{}] }, "ünïcödé"];
    for (const input of inputs) {
      for (const format of ["js_superjson", "portable_json"] as const) {
        expect(decodeWorkflowInput(encodeWorkflowInput(input, format), format, "js_superjson")).toStrictEqual(input);
      }
    }
    const rich = [undefined, new Date(4), new Set([1n])];
    expect(
      decodeWorkflowInput(encodeWorkflowInput(rich, "js_superjson"), "js_superjson", "js_superjson"),
    ).toStrictEqual(rich);
  });

  it("reads a NULL serialization column as js_superjson when marked, else in the default format", () => {
    expect(decodeWorkflowInput('{"positionalArgs":[7]}', null, "portable_json")).toBe(7);
    expect(decodeWorkflowInput('{"json":[7],"__dbos_serializer":"superjson"}', null, "js_superjson")).toBe(7);
    expect(decodeWorkflowInput('{"json":[7],"__dbos_serializer":"superjson"}', null, "portable_json")).toBe(7);
  });

  it.each([
    ['{"json":{"a":1},"__dbos_serializer":"superjson"}', "js_superjson", "expected an array of arguments"],
    ['"just a string"', "js_superjson", "expected an array of arguments"],
    ["[20]", "portable_json", "positionalArgs"],
    ['{"positionalArgs":5}', "portable_json", "positionalArgs is not an array"],
    ['{"namedArgs":[1]}', "portable_json", "namedArgs is not an object"],
    ["{oops", "portable_json", "not valid JSON"],
    ["gASV", "py_pickle", "py_pickle"],
  ])("refuses the wrong shape %s (%s)", (text, format, expected) => {
    const error = inputFailure(text, format);
    expect(error.message).toContain("Cannot read workflow input stored as");
    expect(error.message).toContain(expected);
  });
});
