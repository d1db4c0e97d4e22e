import { DBOSJSON, deserializePositionalArgs, serializeArgs } from "@dbos-inc/dbos-sdk/internal/serialization";
import { isDurablyError } from "@durably/sysdb";
import { describe, expect, it } from "vitest";
import { encodeWorkflowInput } from "../../src/serialization/index.js";

describe("encodeWorkflowInput", () => {
  it("stores DBOS's argument list: an array for js_superjson, the envelope for portable_json", () => {
    expect(encodeWorkflowInput(10, "js_superjson")).toBe('{"json":[10],"__dbos_serializer":"superjson"}');
    expect(encodeWorkflowInput(20, "portable_json")).toBe('{"positionalArgs":[20]}');
  });

  it("stores an undefined input as zero arguments", () => {
    expect(encodeWorkflowInput(undefined, "js_superjson")).toBe('{"json":[],"__dbos_serializer":"superjson"}');
    expect(encodeWorkflowInput(undefined, "portable_json")).toBe('{"positionalArgs":[]}');
  });

  it.each([
    ["js_superjson", "native"],
    ["portable_json", "portable"],
  ] as const)("writes what DBOS's serializeArgs writes, and DBOS reads it back (%s)", async (format, dbosFormat) => {
    const inputs: unknown[] =
      format === "js_superjson"
        ? [10, { when: new Date(5), m: new Map([["a", 1]]), big: 10n }, "s", null]
        : [20, { order: "o-1", items: [1, 2, 3] }, "s", null];
    for (const input of inputs) {
      const ours = encodeWorkflowInput(input, format);
      const theirs = await serializeArgs([input], undefined, DBOSJSON, dbosFormat);
      expect(ours).toBe(theirs.serializedValue);
      expect(await deserializePositionalArgs(ours, format, DBOSJSON)).toStrictEqual([input]);
    }
  });

  it("names the input itself in errors, not the argument list", () => {
    let caught: unknown;
    try {
      encodeWorkflowInput({ items: [1, 2, () => 3] }, "portable_json", "input of workflow checkout");
    } catch (error) {
      caught = error;
    }
    expect(isDurablyError(caught, "SERIALIZATION")).toBe(true);
    expect((caught as Error).message).toBe(
      "Cannot store input of workflow checkout as portable_json: the value at $.items[2] is a function. " +
        "Functions cannot be stored; pass plain data, or call the function and store its result.",
    );
  });
});
