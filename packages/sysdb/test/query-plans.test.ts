// Claiming stays one short, index-driven statement even with 100,000 workflows waiting.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { claimQueuedWorkflows, migrateSystemDatabase, openSystemDatabase, type SystemDatabase } from "../src/index.js";

const db = useTestDatabase();
let sysdb: SystemDatabase;
const statements: Array<{ text: string; parameters: readonly unknown[] }> = [];

beforeAll(async () => {
  sysdb = openSystemDatabase({ url: db.url, poolSize: 2, onQuery: (text, _c, parameters) => void statements.push({ text, parameters }) });
  await migrateSystemDatabase(sysdb);
  await sysdb.sql`
    insert into dbos.workflow_status (workflow_uuid, status, name, queue_name, application_version, created_at, updated_at, priority)
    select 'wf-' || i, 'ENQUEUED', 'task', case when i % 10 = 0 then 'other' else 'busy' end, 'v1', 1000000 + i, 1000000 + i, i % 3
    from generate_series(1, 100000) as i`;
  await sysdb.sql`analyze dbos.workflow_status`;
}, 120_000);
afterAll(() => sysdb.close());

test("the claim's plan walks the in-flight index, never a sequential scan of workflow_status", async () => {
  statements.length = 0;
  const me = { executorID: "e1", applicationVersion: "v1", applicationName: "app", now: Date.now() };
  const claimed = await claimQueuedWorkflows(sysdb, me, "busy", { maxClaim: 10, concurrency: null, rateLimit: null, partitionKey: null, names: ["task"] });
  expect(claimed.map((w) => w.priority)).toEqual(Array(10).fill(0));
  const claim = statements.find((s) => s.text.includes("for update skip locked"))!;
  const plan = (await sysdb.sql.unsafe(`explain ${claim.text}`, claim.parameters as never[])).map((r) => r["QUERY PLAN"] as string).join("\n");
  expect(plan).toContain("idx_workflow_status_in_flight_v2");
  expect(plan).not.toMatch(/Seq Scan on workflow_status/);
});
