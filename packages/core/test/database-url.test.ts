// createDBOSContext and createClient refuse a malformed system database URL before any I/O, naming
// where it came from; launch and createClient wait out a refusing server with one log line per
// attempt, then fail with the one-line DATABASE_UNAVAILABLE error.
import { refusedPort } from "@durably/testing";
import { failureOf } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { migratedTemplate } from "@durably/sysdb";
import {
  createClient,
  createDBOSContext,
  isDurablyError,
  launch,
  shutdown,
  type DurablyError,
  type Logger,
} from "../src/index.js";

const db = useTestDatabase({ template: migratedTemplate });
const form = "A Postgres URL looks like postgres://user:password@host:5432/database.";
const badUrls: Array<[string, string]> = [
  ["localhost:5432", "has no scheme"],
  ["http://127.0.0.1:5432/app", "has the scheme http://"],
  ["postgres:///app", "has no host"],
  ["postgres://u:hunter2@127.0.0.1:abc/app", "has a port that is not a number"],
  ["postgres://u:hunter2@127.0.0.1:5432", "names no database"],
];

let savedEnv: string | undefined;
beforeEach(() => {
  savedEnv = process.env.DBOS_SYSTEM_DATABASE_URL;
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env.DBOS_SYSTEM_DATABASE_URL;
  else process.env.DBOS_SYSTEM_DATABASE_URL = savedEnv;
});

/** `CODE: message` of what `fn` threw or rejected with. */
const failure = (fn: () => unknown) => failureOf(fn, isDurablyError, "DurablyError");

describe.each([
  [
    "createDBOSContext",
    (url?: string) => createDBOSContext({ appName: "a", ...(url === undefined ? {} : { systemDatabaseUrl: url }) }),
  ],
  ["createClient", (url?: string) => createClient(url === undefined ? {} : { systemDatabaseUrl: url })],
])("%s refuses a malformed URL", (_, open) => {
  test.each(badUrls)("%j as systemDatabaseUrl: %s", async (url, problem) => {
    const message = await failure(() => open(url));
    expect(message).toMatch(/^INVALID_CONFIG: Invalid durably config: systemDatabaseUrl "/);
    expect(message).toContain(problem);
    expect(message).toContain(form);
    expect(message).not.toContain("hunter2");
  });

  test.each(badUrls)("%j from DBOS_SYSTEM_DATABASE_URL: %s", async (url, problem) => {
    process.env.DBOS_SYSTEM_DATABASE_URL = url;
    const message = await failure(() => open());
    expect(message).toMatch(/^INVALID_CONFIG: Invalid durably config: DBOS_SYSTEM_DATABASE_URL "/);
    expect(message).toContain(problem);
    expect(message).not.toContain("hunter2");
  });
});

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, logger: { debug() {}, info() {}, warn: (message) => void warnings.push(message), error() {} } };
}

test("launch waits out a refused port with one warning per attempt, then fails with the one-line error", async () => {
  const port = await refusedPort();
  const { logger, warnings } = recordingLogger();
  const ctx = createDBOSContext({
    appName: "a",
    systemDatabaseUrl: `postgres://postgres@127.0.0.1:${port}/app`,
    connectTimeoutMs: 500,
    logger,
  });
  const error = (await launch(ctx).catch((e: unknown) => e)) as DurablyError;
  expect(isDurablyError(error, "DATABASE_UNAVAILABLE"), String(error)).toBe(true);
  expect(error.message).toMatch(
    new RegExp(
      `^Connection refused by 127\\.0\\.0\\.1:${port}: .*\\. ` +
        "Start Postgres, or correct the host and port in systemDatabaseUrl\\.$",
    ),
  );
  expect(error.details).toMatchObject({ reason: "refused" });
  expect(warnings.length).toBe((error.details!.attempts as number) - 1);
  for (const warning of warnings)
    expect(warning).toMatch(/^system database not reachable yet; retrying: Connection refused by /);
  await shutdown(ctx);
});

test("createClient names DBOS_SYSTEM_DATABASE_URL in the fix when the URL came from it", async () => {
  const port = await refusedPort();
  process.env.DBOS_SYSTEM_DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/app`;
  const { logger, warnings } = recordingLogger();
  const error = (await createClient({ connectTimeoutMs: 300, logger }).catch((e: unknown) => e)) as DurablyError;
  expect(isDurablyError(error, "DATABASE_UNAVAILABLE"), String(error)).toBe(true);
  expect(error.message).toContain("Start Postgres, or correct the host and port in DBOS_SYSTEM_DATABASE_URL.");
  expect(warnings.length).toBe((error.details!.attempts as number) - 1);
});

test("a well-formed URL still connects (the checker refuses nothing durably can use)", async () => {
  const client = await createClient({ systemDatabaseUrl: db.url });
  await shutdown(client);
  const alternate = new URL(db.url);
  alternate.protocol = "postgresql:";
  const other = await createClient({ systemDatabaseUrl: alternate.toString() });
  await shutdown(other);
});
