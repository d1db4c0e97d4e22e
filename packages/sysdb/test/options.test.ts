// checkOptions, the one checker of every options object, and openSystemDatabase's own options.
import { describe, expect, test } from "vitest";
import { checkOptions, isDurablyError, openSystemDatabase, type OptionRules } from "../src/index.js";

// Lets a test pass what the types forbid, so it reaches the runtime checks.
const any = (value: unknown) => value as any;

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isDurablyError(error) ? `${error.code}: ${error.message}` : `not a DurablyError: ${String(error)}`;
  }
  return "no error";
}

const rules: OptionRules = {
  count: { type: "number", integer: true, min: 1, max: 10 },
  ratio: { type: "number", above: 0 },
  mode: { type: "string", enum: ["a", "b"] },
  limit: { type: "object", keys: { limit: { type: "number", required: true }, periodSec: { type: "number" } } },
  tags: { type: "array", items: { type: "string" } },
};

describe("checkOptions", () => {
  test("an unknown key, top-level or nested, is named with the accepted ones and a near match", () => {
    expect(failure(() => checkOptions("f", { cuont: 1 }, rules))).toBe(
      "INVALID_ARGUMENT: f: unknown option cuont (did you mean count?); the accepted options are count, " +
        "ratio, mode, limit, tags.",
    );
    expect(failure(() => checkOptions("f", { limit: { limit: 1, limitPerPeriod: 2 } }, rules))).toBe(
      "INVALID_ARGUMENT: f: unknown option limit.limitPerPeriod (did you mean limit?); the accepted keys of " +
        "limit are limit, periodSec.",
    );
  });

  test("numbers: integer, range, strictly above, finite; strings: enum; arrays: each item", () => {
    expect(failure(() => checkOptions("f", { count: 1.5 }, rules))).toBe(
      "INVALID_ARGUMENT: f: count must be an integer from 1 to 10, got 1.5.",
    );
    expect(failure(() => checkOptions("f", { count: 11 }, rules))).toMatch(
      /count must be an integer from 1 to 10, got 11/,
    );
    expect(failure(() => checkOptions("f", { ratio: 0 }, rules))).toMatch(/ratio must be a finite number > 0, got 0/);
    expect(failure(() => checkOptions("f", { ratio: Infinity }, rules))).toMatch(
      /ratio must be a finite number > 0, got Infinity/,
    );
    expect(failure(() => checkOptions("f", { ratio: "2" }, rules))).toMatch(
      /ratio must be a finite number > 0, got "2"/,
    );
    expect(failure(() => checkOptions("f", { mode: "c" }, rules))).toMatch(/mode must be one of "a", "b", got "c"/);
    expect(failure(() => checkOptions("f", { tags: ["x", 2] }, rules))).toMatch(/tags\[1\] must be a string, got 2/);
    expect(failure(() => checkOptions("f", { limit: {} }, rules))).toMatch(/the option limit\.limit is required/);
    expect(failure(() => checkOptions("f", 5, rules))).toMatch(/the options must be an object/);
    expect(failure(() => checkOptions("f", { count: 3, ratio: 0.5, mode: "a", tags: [] }, rules))).toBe("no error");
    expect(failure(() => checkOptions("f", undefined, rules))).toBe("no error");
    expect(failure(() => checkOptions("f", { count: undefined }, rules))).toBe("no error");
  });

  test("a config passes its own code", () => {
    expect(failure(() => checkOptions("createDBOSContext", { x: 1 }, rules, "INVALID_CONFIG"))).toMatch(
      /^INVALID_CONFIG: createDBOSContext: unknown option x/,
    );
  });
});

test("openSystemDatabase refuses an unknown key and a bad pool size before connecting", () => {
  const url = "postgres://postgres@127.0.0.1:1/none";
  expect(failure(() => openSystemDatabase(any({ url, poolsize: 2 })))).toMatch(
    /^INVALID_ARGUMENT: openSystemDatabase: unknown option poolsize \(did you mean poolSize\?\)/,
  );
  expect(failure(() => openSystemDatabase({ url, poolSize: 2.5 }))).toMatch(
    /poolSize must be an integer from 1 to 1000, got 2.5/,
  );
  expect(failure(() => openSystemDatabase({ url, connectTimeoutMs: -1 }))).toMatch(
    /connectTimeoutMs must be a finite number > 0, got -1/,
  );
});
