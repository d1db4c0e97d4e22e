import { DBOSJSON, deserializeResError, serializeResError } from "@dbos-inc/dbos-sdk/internal/serialization";
import { DurablyError } from "@durably/sysdb";
import { describe, expect, it } from "vitest";
import { decodeError, encodeError } from "../../src/serialization/index.js";

class MyErr extends Error {
  override name = "MyErr";
  code = "E42";
}

describe("encodeError as js_superjson", () => {
  it("writes DBOS's stored form: own fields, then name, message, stack", () => {
    const error = new MyErr("boom");
    error.stack = "MyErr: boom\n    at here";
    expect(encodeError(error, "js_superjson", "error")).toBe(
      '{"json":{"name":"MyErr","code":"E42","message":"boom","stack":"MyErr: boom\\n    at ' +
        'here"},"__dbos_serializer":"superjson"}',
    );
  });

  it.each([
    ["a plain error", () => new MyErr("boom")],
    ["an error with a cause", () => new MyErr("outer", { cause: new TypeError("inner") })],
    ["an error with fields", () => Object.assign(new Error("rich"), { status: 503, data: { ids: [1n], ok: true } })],
  ])("writes byte-for-byte what DBOS writes: %s", async (_label, make) => {
    const error = make();
    const theirs = await serializeResError(error, DBOSJSON, "native");
    expect(encodeError(error, "js_superjson", "error")).toBe(theirs.serializedValue);
  });

  it("keeps rich field types that serialize-error (DBOS) turns into strings", async () => {
    const error = Object.assign(new Error("rich"), { at: new Date(1) });
    const theirs = JSON.parse((await serializeResError(error, DBOSJSON, "native")).serializedValue ?? "");
    expect([theirs.json.at, theirs.meta]).toStrictEqual(["1970-01-01T00:00:00.001Z", undefined]);
    const ours = encodeError(error, "js_superjson", "error");
    expect(JSON.parse(ours).meta).toStrictEqual({ values: { at: ["Date"] } });
    const back = decodeError(ours, "js_superjson", "js_superjson", "error") as Error & { at: unknown };
    expect(back.at).toStrictEqual(new Date(1));
    // DBOS reads the row too; its serialize-error step turns the Date into its ISO string.
    const dbos = (await deserializeResError(ours, "js_superjson", DBOSJSON)) as Error & { at: unknown };
    expect([dbos.message, dbos.at]).toStrictEqual(["rich", "1970-01-01T00:00:00.001Z"]);
  });

  it("is read by DBOS as the same error, cause and AggregateError entries included", async () => {
    const inner = Object.assign(new RangeError("inner"), { code: "E1" });
    const outer = new AggregateError([inner, new Error("second")], "all failed", { cause: inner });
    const back = await deserializeResError(encodeError(outer, "js_superjson", "error"), "js_superjson", DBOSJSON);
    expect(back).toBeInstanceOf(Error);
    expect([back.name, back.message, back.stack]).toStrictEqual([outer.name, outer.message, outer.stack]);
    expect((back.cause as Error).message).toBe("inner");
    expect((back.cause as Error & { code: string }).code).toBe("E1");
    expect(((back as AggregateError).errors as Error[]).map((e) => e.message)).toStrictEqual(["inner", "second"]);
  });

  it("never refuses: drops functions, breaks cycles, truncates absurd depth", () => {
    const error = new Error("messy") as Error & Record<string, unknown>;
    error.callback = () => 1;
    error.self = error;
    error.loop = { back: error };
    error.sym = Symbol("s");
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 100; i++) deep = (deep.next = {}) as Record<string, unknown>;
    error.deep = top;
    const json = JSON.parse(encodeError(error, "js_superjson", "error")).json;
    expect(json).not.toHaveProperty("callback");
    expect(json).not.toHaveProperty("sym");
    expect(json.self).toBe("[Circular]");
    expect(json.loop).toStrictEqual({ back: "[Circular]" });
    expect(JSON.stringify(json.deep)).toContain('"[Truncated]"');
  });

  it("stores thrown non-Error values as themselves", () => {
    expect(encodeError("boom", "js_superjson", "error")).toBe('{"json":"boom","__dbos_serializer":"superjson"}');
    expect(encodeError({ status: 404 }, "js_superjson", "error")).toBe(
      '{"json":{"status":404},"__dbos_serializer":"superjson"}',
    );
    expect(encodeError(function handler() {}, "js_superjson", "error")).toBe(
      '{"json":"[Function: handler]","__dbos_serializer":"superjson"}',
    );
  });
});

describe("encodeError as portable_json", () => {
  it("writes DBOS's cross-language record with all four keys", () => {
    expect(encodeError(new MyErr("boom"), "portable_json", "error")).toBe(
      '{"name":"MyErr","message":"boom","code":"E42","data":null}',
    );
    const withData = Object.assign(new Error("bad input"), { code: 400, data: { field: "email", at: new Date(0) } });
    expect(encodeError(withData, "portable_json", "error")).toBe(
      '{"name":"Error","message":"bad input","code":400,"data":{"field":"email","at":"1970-01-01T00:00:00.000Z"}}',
    );
    expect(encodeError(new DurablyError("TIMEOUT", "too slow"), "portable_json", "error")).toBe(
      '{"name":"DurablyError","message":"too slow","code":"TIMEOUT","data":null}',
    );
  });

  it("is read by DBOS as a PortableWorkflowError", async () => {
    const text = encodeError(Object.assign(new MyErr("boom"), { data: { n: 1 } }), "portable_json", "error");
    await expect(deserializeResError(text, "portable_json", DBOSJSON)).rejects.toMatchObject({
      name: "MyErr",
      message: "boom",
      code: "E42",
      data: { n: 1 },
    });
  });

  it("wraps thrown non-Error values as NonError, keeping the value in data", () => {
    expect(encodeError("boom", "portable_json", "error")).toBe(
      '{"name":"NonError","message":"boom","code":null,"data":"boom"}',
    );
    expect(encodeError({ status: 404, big: 1n }, "portable_json", "error")).toBe(
      '{"name":"NonError","message":"{\\"status\\":404,\\"big\\":\\"1\\"}","code":null,"data":{"status":404,"' +
        'big":"1"}}',
    );
    expect(encodeError(undefined, "portable_json", "error")).toBe(
      '{"name":"NonError","message":"undefined","code":null,"data":null}',
    );
  });
});
