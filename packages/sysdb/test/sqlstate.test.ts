// SQLSTATE classification, with errors raised by a real server where one can raise them.
import postgres from "#postgres";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { classifyError, isRetryable } from "../src/index.js";

const db = useTestDatabase();
let sql: postgres.Sql;
beforeAll(() => {
  sql = postgres(db.url, { max: 2, onnotice: () => undefined });
});
afterAll(() => sql.end());

const raised = (query: string) => sql.unsafe(query).then(() => undefined, (e: unknown) => e);

test("unique and foreign-key violations from the server", async () => {
  await sql`create table parent (id int primary key)`;
  await sql`create table child (pid int references parent(id))`;
  await sql`insert into parent values (1)`;
  expect(classifyError(await raised("insert into parent values (1)"))).toBe("unique_violation");
  expect(classifyError(await raised("insert into child values (2)"))).toBe("foreign_key_violation");
  expect(isRetryable(await raised("insert into parent values (1)"))).toBe(false);
});

test("serialization failures, deadlocks and lock timeouts are contention, and retryable", async () => {
  expect(classifyError(await raised("do $$ begin raise exception using errcode = '40001'; end $$"))).toBe("contention");
  expect(classifyError(await raised("do $$ begin raise exception using errcode = '40P01'; end $$"))).toBe("contention");
  expect(classifyError(await raised("do $$ begin raise exception using errcode = '55P03'; end $$"))).toBe("contention");
  expect(isRetryable(await raised("do $$ begin raise exception using errcode = '40001'; end $$"))).toBe(true);
});

test("lost and refused connections are connection errors, and retryable", async () => {
  // What the server sends when it kills or restarts a session, and what a lost socket gives.
  for (const code of ["57P01", "57P02", "57P03", "08006", "ECONNRESET", "CONNECTION_CLOSED"]) {
    expect([code, classifyError({ code })]).toEqual([code, "connection"]);
  }
  const refused = postgres("postgres://postgres@127.0.0.1:1/x", { max: 1, connect_timeout: 2 });
  const error = await refused`select 1`.then(() => undefined, (e: unknown) => e);
  await refused.end();
  expect(classifyError(error)).toBe("connection");
  expect(classifyError(await raised("select * from no_such_table"))).toBe("other");
  expect(classifyError({ code: "3D000" })).toBe("missing_database");
  expect(classifyError(new Error("plain"))).toBe("other");
});

test("a write in a read-only transaction (25006) is permanent: not retried", async () => {
  await sql`create table if not exists written (id int)`;
  const error = await sql.begin("read only", (tx) => tx`insert into written values (1)`).then(() => undefined, (e: unknown) => e);
  expect((error as { code?: string }).code).toBe("25006");
  expect(classifyError(error)).toBe("other");
  expect(isRetryable(error)).toBe(false);
});
