// Retention: garbageCollectWorkflows by age and by count (keep the newest N), in batches, and a
// batch cancelled by statement_timeout retried smaller; running workflows are never touched.
import { useTestDatabase } from "@durably/testing/vitest";
import { migratedTemplate } from "@durably/sysdb";
import { afterEach, beforeEach, expect, test } from "vitest";
import { createClient, garbageCollectWorkflows, isDurablyError, shutdown, type DBOSContext } from "../src/index.js";
import { recordingLogger, type RecordingLogger } from "./support/test-context.js";
import { withSql } from "./support/with-sql.js";

const db = useTestDatabase({ template: migratedTemplate });
const now = Date.now();
const day = 86_400_000;
let client: DBOSContext;
let logger: RecordingLogger;

/** 40 finished workflows created (and finished) i days ago, i = 1..40, each with 2 steps; 1 old PENDING one. */
async function seed(): Promise<void> {
  await withSql(db.url, async (sql) => {
    await sql`delete from dbos.operation_outputs`;
    await sql`delete from dbos.workflow_status`;
    await sql`insert into dbos.workflow_status (workflow_uuid, status, name, created_at, updated_at, completed_at)
      select 'done-' || i, 'SUCCESS', 'w', ${now}::int8 - i * ${day}::int8, ${now}::int8 - i * ${day}::int8,
        ${now}::int8 - i * ${day}::int8
      from generate_series(1, 40) as i
      union all select 'running', 'PENDING', 'w', ${now - 100 * day}, ${now - 100 * day}, null`;
    await sql`insert into dbos.operation_outputs (workflow_uuid, function_id, function_name, output)
      select 'done-' || i, s, 'step', '1' from generate_series(1, 40) as i, generate_series(0, 1) as s`;
  });
}

async function remaining(): Promise<string[]> {
  return withSql(db.url, async (sql) =>
    (await sql`select workflow_uuid from dbos.workflow_status order by created_at desc`).map(
      (r) => r.workflow_uuid as string,
    ),
  );
}

beforeEach(async () => {
  await seed();
  logger = recordingLogger();
  client = await createClient({ systemDatabaseUrl: db.url, logger });
});
afterEach(() => shutdown(client));

test("by age: deletes the workflows finished before the cutoff, with their steps, in batches", async () => {
  expect(await garbageCollectWorkflows(client, { olderThanMs: 30.5 * day, batchSize: 3 })).toBe(10);
  const left = await remaining();
  expect(left).toHaveLength(31);
  expect(left).toContain("running");
  expect(left).not.toContain("done-31");
  await withSql(db.url, async (sql) => {
    const [steps] = await sql`select count(*)::int as n from dbos.operation_outputs`;
    expect(steps!.n).toBe(60);
  });
});

test("by count: keeps the newest N workflows and deletes the finished ones before them", async () => {
  expect(await garbageCollectWorkflows(client, { keepNewest: 25, batchSize: 4 })).toBe(15);
  const left = await remaining();
  expect(left.slice(0, 25)).toEqual(Array.from({ length: 25 }, (_, i) => `done-${i + 1}`));
  expect(left).toEqual([...left.slice(0, 25), "running"]); // older than the 25th, but running
  // Fewer workflows than N: nothing to delete.
  expect(await garbageCollectWorkflows(client, { keepNewest: 1000 })).toBe(0);
});

test("both bounds: a finished workflow goes when either says so", async () => {
  expect(await garbageCollectWorkflows(client, { olderThanMs: 35.5 * day, keepNewest: 38 })).toBe(5);
  expect(await remaining()).toHaveLength(36);
});

test("a batch cancelled by statement_timeout is retried with half as many workflows", async () => {
  await shutdown(client);
  // Each deleted workflow costs 0.3 s (a trigger), and statements of this database stop at 2 s:
  // a batch of 16 or 8 is cancelled, a batch of 4 fits.
  await withSql(db.url, async (sql) => {
    await sql`create function dbos.slow_delete() returns trigger language plpgsql as
      $$ begin perform pg_sleep(0.3); return old; end $$`;
    await sql`create trigger slow_delete before delete on dbos.workflow_status
      for each row execute function dbos.slow_delete()`;
    await sql.unsafe(`alter database "${db.name}" set statement_timeout = '2s'`);
  });
  try {
    client = await createClient({ systemDatabaseUrl: db.url, logger });
    expect(await garbageCollectWorkflows(client, { olderThanMs: 28.5 * day, batchSize: 16 })).toBe(12);
    const retries = logger.lines.filter((l) => l.message.includes("statement_timeout"));
    // [8, 4] on an idle machine; a loaded one may need 2 as well. Each retry halves the last batch.
    const sizes = retries.map((l) => (l.fields as { batchSize: number }).batchSize);
    expect(sizes.slice(0, 2)).toEqual([8, 4]);
    expect(sizes.every((size, i) => i === 0 || size === sizes[i - 1]! / 2)).toBe(true);
    expect(await remaining()).toHaveLength(29);
  } finally {
    await withSql(db.url, async (sql) => {
      await sql`drop trigger slow_delete on dbos.workflow_status`;
      await sql.unsafe(`alter database "${db.name}" reset statement_timeout`);
    });
  }
}, 60_000);

test("a retention bound is required", async () => {
  await expect(garbageCollectWorkflows(client, {})).rejects.toSatisfy((e) => isDurablyError(e, "INVALID_ARGUMENT"));
  await expect(garbageCollectWorkflows(client, { keepNewest: 0 })).rejects.toSatisfy((e) =>
    isDurablyError(e, "INVALID_ARGUMENT"),
  );
});
