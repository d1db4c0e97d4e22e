import { afterEach, expect, test, vi } from "vitest";
import { assertPremise, skipForMissingPremise } from "../src/index.js";

afterEach(() => {
  vi.restoreAllMocks();
});

test("a premise that holds neither skips nor prints", () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  expect(skipForMissingPremise("the test", undefined, {})).toBe(false);
  expect(() => assertPremise(undefined)).not.toThrow();
  expect(warn).not.toHaveBeenCalled();
});

test("a missing premise skips the test, printing why", () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  expect(skipForMissingPremise("the test", "tool is missing", {})).toBe(true);
  expect(warn).toHaveBeenCalledWith("skipping the test: tool is missing");
});

test("under CI=true a missing premise does not skip: the test fails on assertPremise, saying why", () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  expect(skipForMissingPremise("the test", "tool is missing", { CI: "true" })).toBe(false);
  expect(() => assertPremise("tool is missing")).toThrow("this test's premise does not hold: tool is missing");
});
