import { DBOSJSON, serializeResError } from "@dbos-inc/dbos-sdk/internal/serialization";
import { DurablyError, isDurablyError } from "@durably/sysdb";
import { describe, expect, it } from "vitest";
import { decodeError, encodeError, type SerializationFormat } from "../../src/serialization/index.js";

class MyErr extends Error {
  override name = "MyErr";
  code = "E42";
}

const roundTrip = (thrown: unknown, format: SerializationFormat): unknown =>
  decodeError(encodeError(thrown, format, "error"), format, "js_superjson", "error");

describe("decodeError from js_superjson", () => {
  it("decodes DBOS's literal stored error to an Error instance", () => {
    const error = decodeError(
      '{"json":{"name":"MyErr","code":"E42","message":"boom","stack":"MyErr: boom\\n    at ' +
        'x"},"__dbos_serializer":"superjson"}',
      "js_superjson",
      "js_superjson",
      "error of workflow pay",
    ) as Error & { code?: string };
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.message, error.code, error.stack]).toStrictEqual([
      "MyErr",
      "boom",
      "E42",
      "MyErr: boom\n    at x",
    ]);
    expect(Object.keys(error)).toStrictEqual(["code"]);
  });

  it("reads an untagged (NULL format) marked error as js_superjson whatever the default", () => {
    const text =
      '{"json":{"name":"MyErr","code":"E42","message":"boom","stack":"MyErr: boom"},"__dbos_serializer":"superjson"}';
    const error = decodeError(text, null, "portable_json", "error of step DBOS.getResult") as Error & { code?: string };
    expect([error.name, error.message, error.code]).toStrictEqual(["MyErr", "boom", "E42"]);
  });

  it("restores class name, message, stack, custom fields and a cause chain", () => {
    const inner = Object.assign(new TypeError("inner"), { status: 500 });
    const original = Object.assign(new MyErr("outer", { cause: inner }), {
      status: 503,
      details: { ids: [1n, 2n], at: new Date(9), tags: new Set(["a"]) },
    });
    const back = roundTrip(original, "js_superjson") as MyErr & { status: number; details: unknown };
    expect(back).toBeInstanceOf(Error);
    expect([back.name, back.message, back.stack, back.code, back.status]).toStrictEqual([
      "MyErr",
      "outer",
      original.stack,
      "E42",
      503,
    ]);
    expect(back.details).toStrictEqual(original.details);
    expect(back.cause).toBeInstanceOf(TypeError);
    expect(back.cause).toMatchObject({ message: "inner", status: 500, stack: inner.stack });
    expect(Object.getOwnPropertyDescriptor(back, "cause")?.enumerable).toBe(false);
  });

  it("revives AggregateError with its errors, and errors arrays on other classes", () => {
    const aggregate = new AggregateError([new Error("a"), new RangeError("b")], "both");
    const back = roundTrip(aggregate, "js_superjson") as AggregateError;
    expect(back).toBeInstanceOf(AggregateError);
    expect(back.errors.map((e: Error) => [e.constructor, e.message])).toStrictEqual([
      [Error, "a"],
      [RangeError, "b"],
    ]);
    const retries = Object.assign(new Error("gave up"), { errors: [new Error("try 1"), new Error("try 2")] });
    const backRetries = roundTrip(retries, "js_superjson") as Error & { errors: Error[] };
    expect(backRetries.errors.every((e) => e instanceof Error)).toBe(true);
    expect(backRetries.errors.map((e) => e.message)).toStrictEqual(["try 1", "try 2"]);
  });

  it("revives a DurablyError as one, so isDurablyError still recognises it", () => {
    const original = new DurablyError("WORKFLOW_CANCELLED", "cancelled", {
      workflowID: "wf-1",
      stepName: "charge",
      stepID: 2,
    });
    const back = roundTrip(original, "js_superjson");
    expect(isDurablyError(back, "WORKFLOW_CANCELLED")).toBe(true);
    expect(back).toMatchObject({ workflowID: "wf-1", stepName: "charge", stepID: 2, message: "cancelled" });
    const forged = decodeError(
      '{"json":{"name":"DurablyError","code":"NOT_A_CODE","message":"m","stack":"s"},"__dbos_serializer":"superjson"}',
      "js_superjson",
      "js_superjson",
      "error",
    );
    expect(isDurablyError(forged)).toBe(false);
  });

  it("reads errors written by DBOS's serializeResError, causes included", async () => {
    const original = new MyErr("outer", { cause: new Error("inner") });
    const { serializedValue } = await serializeResError(original, DBOSJSON, "native");
    const back = decodeError(serializedValue, "js_superjson", "js_superjson", "error") as MyErr;
    expect([back.name, back.message, back.code, back.stack]).toStrictEqual(["MyErr", "outer", "E42", original.stack]);
    expect((back.cause as Error).message).toBe("inner");
  });

  it("returns thrown non-Error values as they were thrown", () => {
    expect(roundTrip("boom", "js_superjson")).toBe("boom");
    expect(roundTrip(42, "js_superjson")).toBe(42);
    expect(roundTrip(undefined, "js_superjson")).toBeUndefined();
    expect(roundTrip({ status: 404, message: "not an error without a stack" }, "js_superjson")).toStrictEqual({
      status: 404,
      message: "not an error without a stack",
    });
  });
});

describe("decodeError from portable_json", () => {
  it("decodes DBOS's portable record into an Error with name, message, code and data", () => {
    const error = decodeError(
      '{"name":"MyErr","message":"boom","code":"E42"}',
      "portable_json",
      "js_superjson",
      "error",
    ) as Error & {
      code?: unknown;
      data?: unknown;
    };
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.message, error.code, error.data, error.stack]).toStrictEqual([
      "MyErr",
      "boom",
      "E42",
      undefined,
      "MyErr: boom",
    ]);
    const withData = roundTrip(
      Object.assign(new Error("bad"), { code: 400, data: { field: "email" } }),
      "portable_json",
    );
    expect(withData).toMatchObject({ name: "Error", message: "bad", code: 400, data: { field: "email" } });
    expect(roundTrip(new TypeError("t"), "portable_json")).toBeInstanceOf(TypeError);
    expect(isDurablyError(roundTrip(new DurablyError("TIMEOUT", "slow"), "portable_json"), "TIMEOUT")).toBe(true);
  });

  it("round-trips a thrown non-Error as a NonError carrying it in data", () => {
    expect(roundTrip({ status: 404 }, "portable_json")).toMatchObject({
      name: "NonError",
      message: '{"status":404}',
      data: { status: 404 },
    });
  });

  it.each([
    ['"boom"', "expected an error record"],
    ["[1]", "expected an error record"],
    ['{"name":1,"message":"m"}', "name is not a string"],
    ['{"name":"E","message":{"text":"m"}}', "message is not a string"],
    ["{nope", "not valid JSON"],
  ])("refuses the corrupt record %s", (text, expected) => {
    let caught: unknown;
    try {
      decodeError(text, "portable_json", "js_superjson", "error of workflow pay");
    } catch (error) {
      caught = error;
    }
    expect(isDurablyError(caught, "DESERIALIZATION")).toBe(true);
    expect((caught as Error).message).toContain("Cannot read error of workflow pay stored as portable_json");
    expect((caught as Error).message).toContain(expected);
  });
});
