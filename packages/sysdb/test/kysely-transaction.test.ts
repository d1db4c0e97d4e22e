// Kysely's transaction() over the pool dialect (src/kysely-dialect.ts runs it inside postgres.js's
// sql.begin): committed when the body resolves, rolled back when it throws, rejected when COMMIT
// fails, and a transaction cut mid-statement rejects without leaving the pool unable to end.
import { terminateBackendWhenActive } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { inTransaction, openSystemDatabase, type SystemDatabase } from "../src/index.js";

const db = useTestDatabase();
let sysdb: SystemDatabase;

beforeAll(async () => {
  sysdb = openSystemDatabase({ url: db.url, poolSize: 3 });
  await sysdb.sql.unsafe(`
    create table public.tx_rows (id int8 primary key, body text);
    create function public.tx_fail_at_commit() returns trigger language plpgsql as $$
      begin if new.body = 'doomed' then raise exception 'refused at commit'; end if; return null; end $$;
    create constraint trigger tx_fail_at_commit after insert on public.tx_rows
      deferrable initially deferred for each row execute function public.tx_fail_at_commit();`);
});
afterAll(() => sysdb.close());

const insert = (id: number, body: string) => sql`insert into public.tx_rows (id, body) values (${id}, ${body})`;
const ids = async () => (await sysdb.sql`select id from public.tx_rows order by id`).map((r) => r.id as number);

test("a body that resolves commits every statement; one that throws rolls back and rethrows its error", async () => {
  const result = await inTransaction(sysdb, async (tx) => {
    await insert(1, "a").execute(tx.db);
    await insert(2, "b").execute(tx.db);
    // The premise: both statements ran on the transaction's one connection.
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from public.tx_rows`.execute(tx.db);
    expect(rows[0]?.n).toBe(2);
    return "done";
  });
  expect(result).toBe("done");
  expect(await ids()).toEqual([1, 2]);

  const failure = new Error("the body failed");
  await expect(
    inTransaction(sysdb, async (tx) => {
      await insert(3, "c").execute(tx.db);
      throw failure;
    }),
  ).rejects.toBe(failure);
  expect(await ids()).toEqual([1, 2]);
});

test("a COMMIT that fails rejects the transaction and leaves nothing written", async () => {
  const before = await ids();
  await expect(
    inTransaction(sysdb, async (tx) => {
      await insert(4, "doomed").execute(tx.db);
    }),
  ).rejects.toThrow("refused at commit");
  expect(await ids()).toEqual(before);
});

test("a Kysely statement with parameters, outside a transaction, rejects when its commit fails", async () => {
  const before = await ids();
  await expect(insert(5, "doomed").execute(sysdb.db)).rejects.toThrow("refused at commit");
  expect(await ids()).toEqual(before);
});

test("a transaction cut mid-statement rejects, and the pool still works and ends", async () => {
  const before = await ids();
  const cut = inTransaction(sysdb, async (tx) => {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx.db);
    const pid = rows[0]?.pid;
    expect(pid).toBeTypeOf("number");
    // Handled at once: it rejects while the backend is being terminated, before it is awaited.
    const sleeping = sql`select pg_sleep(30)`.execute(tx.db).then(
      () => undefined,
      (error: unknown) => error,
    );
    await terminateBackendWhenActive(db.url, pid!);
    throw (await sleeping) ?? new Error("pg_sleep was not interrupted");
  });
  await expect(cut).rejects.toMatchObject({ code: expect.stringMatching(/^(57P01|CONNECTION_CLOSED|ECONNRESET)$/) });
  expect(await ids()).toEqual(before);
}, 60_000);
