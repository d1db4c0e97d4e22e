// SQLSTATE classification, with errors raised by a real server where one can raise them.
import postgres from "#postgres";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { classifyError, DurablyError, isRetryable } from "../src/index.js";

const db = useTestDatabase();
let sql: postgres.Sql;
beforeAll(() => {
  sql = postgres(db.url, { max: 2, onnotice: () => undefined });
});
afterAll(() => sql.end());

const raised = (query: string) =>
  sql.unsafe(query).then(
    () => undefined,
    (e: unknown) => e,
  );

test("unique and foreign-key violations from the server", async () => {
  await sql`create table parent (id int primary key)`;
  await sql`create table child (pid int references parent(id))`;
  await sql`insert into parent values (1)`;
  expect(classifyError(await raised("insert into parent values (1)"))).toBe("unique_violation");
  expect(classifyError(await raised("insert into child values (2)"))).toBe("foreign_key_violation");
  expect(isRetryable(await raised("insert into parent values (1)"))).toBe(false);
});

const raise = (code: string) => raised(`do $$ begin raise exception using errcode = '${code}'; end $$`);

test("serialization failures and deadlocks are contention, and retryable", async () => {
  expect(classifyError(await raise("40001"))).toBe("contention");
  expect(classifyError(await raise("40P01"))).toBe("contention");
  expect(isRetryable(await raise("40001"))).toBe(true);
  expect(isRetryable(await raise("40P01"))).toBe(true);
});

test("lock_not_available (55P03) is permanent: NOWAIT and lock_timeout asked not to wait", async () => {
  expect(classifyError(await raise("55P03"))).toBe("other");
  expect(isRetryable(await raise("55P03"))).toBe(false);
});

test("a code is looked up exactly, else by its class; only the listed ones are retried", async () => {
  const kinds = (codes: string[]) => Promise.all(codes.map(async (code) => [code, classifyError(await raise(code))]));
  // Class 08 and the listed server shutdowns and connection limits: a new connection may work.
  const transient = ["08000", "08003", "08006", "53300", "57P01", "57P02", "57P03"];
  expect(await kinds(transient)).toEqual(transient.map((code) => [code, "connection"]));
  // The rest of their classes, and classes not listed, fail at once.
  const permanent = ["22012", "23502", "25006", "40002", "40003", "42601", "53100", "53200", "55000", "57014", "57P04"];
  permanent.push("XX000", "P0001");
  expect(await kinds(permanent)).toEqual(permanent.map((code) => [code, "other"]));
});

test("lost and refused connections are connection errors, and retryable", async () => {
  // The codes only a driver gives a connection it lost (postgres.js's, and durably's deadlines).
  const driverCodes = ["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"];
  driverCodes.push("REPLY_TIMEOUT");
  for (const code of driverCodes) {
    expect([code, classifyError({ code })]).toEqual([code, "connection"]);
  }
  const refused = postgres("postgres://postgres@127.0.0.1:1/x", { max: 1, connect_timeout: 2 });
  const error = await refused`select 1`.then(
    () => undefined,
    (e: unknown) => e,
  );
  await refused.end();
  expect((error as { code?: string }).code).toBe("ECONNREFUSED");
  expect(classifyError(error)).toBe("connection");
  expect(classifyError(await raised("select * from no_such_table"))).toBe("other");
  expect(classifyError({ code: "3D000" })).toBe("missing_database");
  expect(classifyError(new Error("plain"))).toBe("other");
});

test("a socket error the driver did not raise (an HTTP call's) is not a lost connection", () => {
  const userReset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104, syscall: "read" });
  expect(classifyError(userReset)).toBe("other");
  expect(isRetryable(userReset)).toBe(false);
  // Unless the caller knows the driver raised it (as sql.reserve() does, with no query attached).
  expect(classifyError(userReset, { fromDriver: true })).toBe("connection");
  // Only SQLSTATE-shaped codes are looked up: a user's code "08" is not class 08.
  expect(classifyError({ code: "08" })).toBe("other");
});

test("a write in a read-only transaction (25006) is permanent: not retried", async () => {
  await sql`create table if not exists written (id int)`;
  const error = await sql
    .begin("read only", (tx) => tx`insert into written values (1)`)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect((error as { code?: string }).code).toBe("25006");
  expect(classifyError(error)).toBe("other");
  expect(isRetryable(error)).toBe(false);
});

test("sysdb's CONCURRENT_DELETE (a row deleted between two statements) is retried as a lost connection", () => {
  const vanished = new DurablyError(
    "CONCURRENT_DELETE",
    "Workflow w was neither inserted nor found; retrying the start.",
  );
  expect(classifyError(vanished)).toBe("connection");
  expect(isRetryable(vanished)).toBe(true);
  // Only durably's own error carries that meaning, not any object with the code.
  expect(classifyError(Object.assign(new Error("user"), { code: "CONCURRENT_DELETE" }))).toBe("other");
  expect(classifyError(new DurablyError("LOST_OWNERSHIP", "owned elsewhere"))).toBe("other");
});
