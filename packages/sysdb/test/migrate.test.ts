// Migrations: concurrent, idempotent, schema-name safe, and refusing what they do not know.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterEach, expect, test } from "vitest";
import {
  isDurablyError,
  migrateSystemDatabase,
  openSystemDatabase,
  requireMigrated,
  type SystemDatabase,
} from "../src/index.js";
import { messagesChannel } from "../src/queries.js";

const db = useTestDatabase();
const opened: SystemDatabase[] = [];
const open = (schema?: string) => {
  const sysdb = openSystemDatabase({ url: db.url, poolSize: 2, ...(schema === undefined ? {} : { schema }) });
  opened.push(sysdb);
  return sysdb;
};
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

test("five processes migrating at once: one applies, the others wait and find it done", async () => {
  const reports = await Promise.all(Array.from({ length: 5 }, () => migrateSystemDatabase(open())));
  expect(reports.filter((r) => r.applied.length > 0)).toEqual([
    { applied: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], adoptedFromDbos: false },
  ]);
  expect(reports.filter((r) => r.applied.length === 0)).toHaveLength(4);
  const sysdb = open();
  expect(await sysdb.db.selectFrom("dbos_migrations").select("version").execute()).toEqual([{ version: 123 }]);
  expect(await migrateSystemDatabase(sysdb)).toEqual({ applied: [], adoptedFromDbos: false });
});

test.each(["F8nny_sCHem@-n@m3", 'with "quotes"; drop table x; --'])(
  "schema name %j is quoted everywhere",
  async (schema) => {
    const sysdb = open(schema);
    expect((await migrateSystemDatabase(sysdb)).applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const tables = await sysdb.sql`select count(*)::int as n from pg_tables where schemaname = ${schema}`;
    expect(tables[0]?.n).toBe(18);
    // The stored procedures work inside the odd schema too.
    const [row] = await sysdb.sql.unsafe(`select ${sysdb.quotedSchema}.enqueue_workflow('wf', 'q') as id`);
    expect(typeof row?.id).toBe("string");
  },
);

test("a message stored already consumed wakes no listener; one stored unconsumed does (0002)", async () => {
  const sysdb = open("trigger_check");
  await migrateSystemDatabase(sysdb);
  const heard: string[] = [];
  sysdb.listener.subscribe(messagesChannel, (payload) => heard.push(payload));
  await sysdb.listener.start();
  const t = sysdb.sql("trigger_check");
  await sysdb.sql`insert into ${t}.workflow_status (workflow_uuid, status) values ('wf', 'PENDING')`;
  await sysdb.sql`insert into ${t}.notifications (destination_uuid, topic, message, consumed, consumed_by_function_id)
                  values ('wf', 'handed', '1', true, 0)`;
  await sysdb.sql`insert into ${t}.notifications (destination_uuid, topic, message) values ('wf', 'queued', '2')`;
  // NOTIFYs arrive in commit order: had the first insert notified, it would be heard first.
  await expect.poll(() => heard, { timeout: 5_000 }).toContain("wf::queued");
  expect(heard).toEqual(["wf::queued"]);
});

test("an invalid schema name is a typed error before any SQL runs", () => {
  for (const bad of ["", "x".repeat(64), "pg_mine", "a\0b"]) {
    expect(() => openSystemDatabase({ url: db.url, schema: bad })).toThrow(
      expect.objectContaining({ code: "INVALID_NAME" }),
    );
  }
});

test("a database migrated by a newer DBOS or durably is refused and left unchanged", async () => {
  const sysdb = open("newer_dbos");
  await migrateSystemDatabase(sysdb);
  await sysdb.sql`update newer_dbos.dbos_migrations set version = 124`;
  await sysdb.sql`drop table newer_dbos.durably_migrations`;
  const error = await migrateSystemDatabase(sysdb).catch((e: unknown) => e);
  expect(isDurablyError(error, "MIGRATION_REFUSED")).toBe(true);
  expect((error as Error).message).toMatch(/newer DBOS \(migration level 124/);
  expect(await sysdb.sql`select to_regclass('newer_dbos.durably_migrations') as t`).toEqual([{ t: null }]);

  const other = open("newer_durably");
  await migrateSystemDatabase(other);
  await other.sql`insert into newer_durably.durably_migrations (version, name) values (999, 'future')`;
  await expect(migrateSystemDatabase(other)).rejects.toThrow(/newer durably \(schema version 999/);
});

test("an unreachable server fails fast with a typed error naming the host", async () => {
  const sysdb = openSystemDatabase({ url: "postgres://postgres@127.0.0.1:1/none", connectTimeoutMs: 2000 });
  opened.push(sysdb);
  const started = Date.now();
  const error = await sysdb.connect().catch((e: unknown) => e);
  expect(isDurablyError(error, "DATABASE_UNAVAILABLE")).toBe(true);
  expect((error as Error).message).toContain("Connection refused by 127.0.0.1:1:");
  expect(Date.now() - started).toBeLessThan(5000);
});

test(
  "requireMigrated (a client's check) refuses a schema durably never migrated, naming the fix, and passes " +
    "once migrated",
  async () => {
    const sysdb = open("client_before_migration");
    const refused = await requireMigrated(sysdb).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDurablyError(refused, "MIGRATION_REFUSED")).toBe(true);
    expect((refused as Error).message).toContain('no durably schema "client_before_migration"');
    expect((refused as Error).message).toContain("run `durably migrate`");
    await migrateSystemDatabase(sysdb);
    await expect(requireMigrated(sysdb)).resolves.toBeUndefined();
  },
);
