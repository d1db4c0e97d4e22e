// A failed connection is one DATABASE_UNAVAILABLE line with the cause and the fix, against the
// real server: refused port, unknown host, refused login, missing database; with and without retries.
import { refusedPort } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterEach, expect, test } from "vitest";
import {
  ensureDatabaseExists,
  isDurablyError,
  openSystemDatabase,
  type DurablyError,
  type SystemDatabase,
} from "../src/index.js";

const db = useTestDatabase();
const opened: SystemDatabase[] = [];
afterEach(async () => {
  for (const sysdb of opened.splice(0)) await sysdb.close();
});

function withUrl(change: (url: URL) => void): string {
  const url = new URL(db.url);
  change(url);
  return url.toString();
}

async function connectOnce(
  url: string,
  options: { retryConnect?: boolean; connectTimeoutMs?: number } = {},
): Promise<DurablyError> {
  const sysdb = openSystemDatabase({ url, urlName: "DBOS_SYSTEM_DATABASE_URL", retryConnect: false, ...options });
  opened.push(sysdb);
  const error = await sysdb.connect().then(
    () => new Error("connected"),
    (e: unknown) => e,
  );
  expect(isDurablyError(error, "DATABASE_UNAVAILABLE"), String(error)).toBe(true);
  return error as DurablyError;
}

test("a refused port: one line saying connection refused and what to fix, after one attempt", async () => {
  const port = await refusedPort();
  const error = await connectOnce(`postgres://postgres:hunter2@127.0.0.1:${port}/app`);
  expect(error.message).toBe(
    `Connection refused by 127.0.0.1:${port}: no Postgres accepts connections there. ` +
      "Start Postgres, or correct the host and port in DBOS_SYSTEM_DATABASE_URL.",
  );
  expect(error.details).toMatchObject({ reason: "refused", attempts: 1 });
  expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
});

test("with retries on, each failed attempt is reported and the final error says how long it tried", async () => {
  const port = await refusedPort();
  const retries: Array<[string, number]> = [];
  const sysdb = openSystemDatabase({
    url: `postgres://postgres@127.0.0.1:${port}/app`,
    connectTimeoutMs: 500,
    onConnectRetry: (failure, attempt) => retries.push([failure.message, attempt]),
  });
  opened.push(sysdb);
  const error = (await sysdb.connect().catch((e: unknown) => e)) as DurablyError;
  expect(isDurablyError(error, "DATABASE_UNAVAILABLE")).toBe(true);
  expect(retries.length).toBeGreaterThan(0);
  expect(retries.map(([, attempt]) => attempt)).toEqual(retries.map((_, i) => i + 1));
  expect(retries[0]![0]).toContain(`Connection refused by 127.0.0.1:${port}`);
  expect(error.details).toMatchObject({ reason: "refused", attempts: retries.length + 1 });
  expect(error.message).toMatch(
    new RegExp(
      `^Connection refused by 127\\.0\\.0\\.1:${port}: no Postgres accepts connections there ` +
        `\\(tried ${retries.length + 1} times over \\d+ ms\\)\\. Start`,
    ),
  );
});

test("an unknown host, a refused login and a missing database each name their cause and fix", async () => {
  const unknown = await connectOnce(withUrl((u) => (u.hostname = "durably-no-such-host.invalid")));
  expect(unknown.details).toMatchObject({ reason: "unknown_host" });
  expect(unknown.message).toBe(
    "Unknown host durably-no-such-host.invalid: its name does not resolve. " +
      "Correct the host in DBOS_SYSTEM_DATABASE_URL.",
  );

  const login = await connectOnce(withUrl((u) => (u.username = "durably_no_such_role")));
  expect(login.details).toMatchObject({ reason: "auth" });
  // A trust server names the missing role; a password-checking one (the embedded servers) does not say.
  expect(login.message).toMatch(
    /^Postgres at .+ refused the login: (role "durably_no_such_role" does not exist|password authentication failed for user "durably_no_such_role")\. Correct the user and password in/,
  );

  const missing = await connectOnce(withUrl((u) => (u.pathname = "/durably_no_such_database")));
  expect(missing.details).toMatchObject({ reason: "missing_database" });
  expect(missing.message).toMatch(
    /^The database "durably_no_such_database" does not exist on .+\. Create it .*or correct the database name in DBOS_/,
  );
});

test("ensureDatabaseExists and openSystemDatabase check the URL first and fail a refused port at once", async () => {
  const port = await refusedPort();
  const refused = await ensureDatabaseExists(`postgres://postgres@127.0.0.1:${port}/app`, {
    urlName: "--db",
    retryConnect: false,
  }).catch((e: unknown) => e);
  expect(isDurablyError(refused, "DATABASE_UNAVAILABLE")).toBe(true);
  expect((refused as DurablyError).message).toContain("correct the host and port in --db");
  await expect(ensureDatabaseExists("localhost:5432", { urlName: "--db" })).rejects.toThrow(
    /^--db "localhost:5432" has no scheme/,
  );
  expect(() => openSystemDatabase({ url: "postgres://u:hunter2@h:5432" })).toThrow(
    /^url "postgres:\/\/u:\*\*\*@h:5432" names no database/,
  );
});
