// @durably/testing's options are checked before any I/O: a misspelled key or a fractional
// timeout is a TestDatabaseError INVALID_ARGUMENT naming it, not silently ignored.
import { describe, expect, test } from "vitest";
import {
  checkForLeaks,
  createTestDatabase,
  failureOf,
  isTestDatabaseError,
  provisionTestServer,
  startEmbeddedPostgres,
} from "../src/index.js";
import { useTestDatabase } from "../src/vitest.js";

// Lets a test pass what the types forbid, so it reaches the runtime checks.
const any = (value: unknown) => value as any;

/** `CODE: message` of what `fn` threw or rejected with. */
const failure = (fn: () => unknown) => failureOf(fn, isTestDatabaseError, "TestDatabaseError");

describe("INVALID_ARGUMENT naming the option", () => {
  test("createTestDatabase and provisionTestServer refuse unknown keys before connecting", async () => {
    expect(await failure(() => createTestDatabase(any({ templat: {} })))).toMatch(
      /^INVALID_ARGUMENT: createTestDatabase: unknown option templat; the accepted options are template, adminUrl, env/,
    );
    expect(await failure(() => provisionTestServer(any({ startTimeoutMs: 1.5 })))).toMatch(
      /startTimeoutMs must be a whole number of milliseconds, 0 or more, got 1.5/,
    );
    expect(await failure(() => provisionTestServer(any({ log: "yes" })))).toMatch(/the option log must be a function/);
  });

  test("checkForLeaks and useTestDatabase check theirs too", async () => {
    expect(await failure(() => checkForLeaks(any({ adminUrl: "x", database: "y", baseline: {}, graceMS: 5 })))).toMatch(
      /checkForLeaks: unknown option graceMS/,
    );
    expect(await failure(() => useTestDatabase(any({ graceMs: -1 })))).toMatch(/graceMs must be a whole number/);
  });

  test("startEmbeddedPostgres checks its options before touching the data folder", async () => {
    expect(await failure(() => startEmbeddedPostgres(any({ dataDir: "/nonexistent/x", prot: 5432 })))).toMatch(
      /^INVALID_ARGUMENT: startEmbeddedPostgres: unknown option prot; the accepted options are dataDir, port, log/,
    );
    expect(await failure(() => startEmbeddedPostgres(any({ dataDir: "/nonexistent/x", port: 70000 })))).toMatch(
      /the option port must be a whole number from 1 to 65535, got 70000/,
    );
    expect(await failure(() => startEmbeddedPostgres(any({ dataDir: "/nonexistent/x", startTimeoutMs: 0.5 })))).toMatch(
      /startTimeoutMs must be a whole number of milliseconds/,
    );
    expect(await failure(() => startEmbeddedPostgres(any({ port: 5432 })))).toMatch(/the option dataDir is required/);
    expect(
      await failure(() => startEmbeddedPostgres(any({ dataDir: "/nonexistent/x", binaries: { initdb: 1 } }))),
    ).toMatch(/the option binaries must be \{ initdb, postgres \}, two paths/);
  });
});
