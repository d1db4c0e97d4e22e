// withDatabaseRetry: transient failures are retried within a bound, an attempt that never
// answers (a half-open connection) is abandoned and retried, anything else fails at once.
import { isDurablyError } from "@durably/sysdb";
import { expect, it } from "vitest";
import { withDatabaseRetry } from "../src/database-retry.js";

const reset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });

it("an attempt with no reply is abandoned after attemptTimeoutMs and tried again", async () => {
  let attempts = 0;
  const started = Date.now();
  const value = await withDatabaseRetry("hang once", () => (++attempts === 1 ? new Promise<string>(() => undefined) : Promise.resolve("answered")), {
    attemptTimeoutMs: 200,
  });
  expect(value).toBe("answered");
  expect(attempts).toBe(2);
  expect(Date.now() - started).toBeGreaterThanOrEqual(190); // timers may fire a hair early by Date.now()
});

it("an abandoned attempt that fails late is not an unhandled rejection", async () => {
  let failLate = (_: unknown) => undefined as void;
  let attempts = 0;
  const value = await withDatabaseRetry(
    "fail late",
    () => (++attempts === 1 ? new Promise<string>((_, reject) => (failLate = reject)) : Promise.resolve("second")),
    { attemptTimeoutMs: 50 },
  );
  failLate(reset());
  await new Promise((r) => setTimeout(r, 20)); // vitest fails the test on an unhandled rejection
  expect(value).toBe("second");
});

it("connection errors are retried until maxMs, then the last one is thrown", async () => {
  let attempts = 0;
  const error = await withDatabaseRetry("always reset", () => (attempts++, Promise.reject(reset())), { maxMs: 300 }).catch((e: unknown) => e);
  expect((error as { code?: string }).code).toBe("ECONNRESET");
  expect(attempts).toBeGreaterThan(2);
});

it("other errors fail at once", async () => {
  let attempts = 0;
  const error = await withDatabaseRetry("bad sql", () => (attempts++, Promise.reject(Object.assign(new Error("syntax"), { code: "42601" })))).catch(
    (e: unknown) => e,
  );
  expect(attempts).toBe(1);
  expect(isDurablyError(error)).toBe(false);
  expect((error as { code?: string }).code).toBe("42601");
});
