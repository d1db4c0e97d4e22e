// listWorkflows' failed-status filter on a million workflows whose newest thousands all succeeded:
// without migration 0010's index Postgres walks workflow_status_created_at_index backward past every
// newer success (it prices failures as spread evenly over time); with it, the walk reads failures only.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { migrateSystemDatabase, openSystemDatabase, type SystemDatabase } from "../src/index.js";
import { listWorkflows } from "../src/queries.js";

const db = useTestDatabase();
let sysdb: SystemDatabase;
const statements: Array<{ text: string; parameters: readonly unknown[] }> = [];
const newerSuccesses = 8000;

beforeAll(async () => {
  sysdb = openSystemDatabase({
    url: db.url,
    poolSize: 2,
    onQuery: (text, _c, parameters) => void statements.push({ text, parameters }),
  });
  await migrateSystemDatabase(sysdb);
  // The history bench's rows: 8% ERROR and 2% CANCELLED spread over 90 days, then newer successes.
  await sysdb.sql`
    insert into dbos.workflow_status (workflow_uuid, status, name, application_name, application_version,
      executor_id, queue_name, created_at, updated_at, started_at_epoch_ms, completed_at, serialization)
    select 'hist-' || i, case when i % 50 = 0 then 'CANCELLED' when i % 12 = 0 then 'ERROR' else 'SUCCESS' end,
      'historyWorkflow' || (i % 5), 'app', 'v1', 'bench-history', case when i % 3 = 0 then 'history-queue' end,
      1700000000000 + i::int8 * 7776, 1700000000000 + i::int8 * 7776 + 50,
      1700000000000 + i::int8 * 7776, 1700000000000 + i::int8 * 7776 + 50, 'portable_json'
    from generate_series(1, 1000000) as i`;
  await sysdb.sql`
    insert into dbos.workflow_status (workflow_uuid, status, name, application_name, application_version,
      executor_id, created_at, updated_at, serialization)
    select 'late-' || i, 'SUCCESS', 'recent', 'app', 'v1', 'e1', 1800000000000 + i, 1800000000000 + i, 'portable_json'
    from generate_series(1, ${newerSuccesses}::int) as i`;
  await sysdb.sql`analyze dbos.workflow_status`;
}, 180_000);
afterAll(() => sysdb.close());

/** The statement listWorkflows sends for `status`, explained with ANALYZE (row counts, no timings). */
async function analyzedFilter(status: readonly ("ERROR" | "CANCELLED")[], withoutIndex = false): Promise<string> {
  statements.length = 0;
  const page = await listWorkflows(sysdb, { applicationName: "app", status: [...status], sortDesc: true, limit: 20 });
  expect(page).toHaveLength(20);
  const [sent] = statements;
  let plan = "";
  const rollBack = new Error("roll back");
  await sysdb.sql
    .begin(async (tx) => {
      // Dropped inside a transaction that rolls back: the plan Postgres picks without migration 0010.
      if (withoutIndex) await tx.unsafe("drop index dbos.durably_workflow_status_failed_created_at");
      const rows = await tx.unsafe(
        `explain (analyze, costs off, timing off) ${sent!.text}`,
        sent!.parameters as never[],
      );
      plan = rows.map((r) => r["QUERY PLAN"] as string).join("\n");
      throw rollBack;
    })
    .catch((error: unknown) => {
      if (error !== rollBack) throw error;
    });
  return plan;
}

/** Rows the plan's scan read and threw away. */
function rowsRemoved(plan: string): number {
  return Math.max(0, ...[...plan.matchAll(/Rows Removed by Filter: (\d+)/g)].map((m) => Number(m[1])));
}

test("without migration 0010's index, Postgres walks past the newer successes (the premise)", async (ctx) => {
  const plan = await analyzedFilter(["ERROR"], true);
  if (!plan.includes("workflow_status_created_at_index")) {
    // The misprice is a cost-model outcome; print which plan this server chose instead of failing on it.
    console.warn(`skipped: this server does not misprice the skew without the index:\n${plan}`);
    ctx.skip();
  }
  expect(rowsRemoved(plan)).toBeGreaterThanOrEqual(newerSuccesses);
});

test("an ERROR, CANCELLED or ERROR+CANCELLED filter reads failures only, past none of the newer successes", async () => {
  for (const status of [["ERROR"], ["CANCELLED"], ["ERROR", "CANCELLED"]] as const) {
    const plan = await analyzedFilter(status);
    expect(plan).toContain("Index Scan Backward using durably_workflow_status_failed_created_at");
    // At most the other failed statuses between the 20 it returns (one CANCELLED per four ERRORs here).
    expect(rowsRemoved(plan)).toBeLessThan(100);
  }
});

test("a status filter is sent as literals, so a prepared statement's generic plan still matches the partial index", async () => {
  statements.length = 0;
  await listWorkflows(sysdb, { applicationName: "app", status: ["ERROR", "CANCELLED"], limit: 1 });
  expect(statements[0]!.text).toMatch(/in \('ERROR', 'CANCELLED'\)/);
  // An unknown status never reaches SQL as a literal.
  await expect(listWorkflows(sysdb, { status: ["ERROR') or ('1" as never] })).rejects.toThrow(
    /unknown workflow status/,
  );
});
