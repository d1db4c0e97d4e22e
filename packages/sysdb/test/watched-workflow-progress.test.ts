// watchedWorkflowProgress, the dashboard's live watch: its fingerprint of a workflow changes when a
// step commits or the status changes, and not otherwise; it reads by primary keys, never scanning.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { migrateSystemDatabase, openSystemDatabase, type SystemDatabase } from "../src/index.js";
import { watchedWorkflowProgress } from "../src/queries.js";

const db = useTestDatabase();
let sysdb: SystemDatabase;
const statements: Array<{ text: string; parameters: readonly unknown[] }> = [];

beforeAll(async () => {
  sysdb = openSystemDatabase({
    url: db.url,
    poolSize: 1,
    onQuery: (text, _c, parameters) => void statements.push({ text, parameters }),
  });
  await migrateSystemDatabase(sysdb);
  // Enough rows that a sequential scan would cost more than the keys.
  await sysdb.sql`
    insert into dbos.workflow_status (workflow_uuid, status, name, created_at, updated_at)
    select 'w-' || i, 'SUCCESS', 'task', i, i from generate_series(1, 20000) as i`;
  await sysdb.sql`
    insert into dbos.operation_outputs (workflow_uuid, function_id, function_name, output, completed_at_epoch_ms)
    select 'w-' || i, s, 'step', '1', i + s from generate_series(1, 20000) as i, generate_series(0, 2) as s`;
  await sysdb.sql`analyze dbos.workflow_status, dbos.operation_outputs`;
}, 60_000);
afterAll(() => sysdb.close());

const byID = async (ids: string[]) =>
  new Map((await watchedWorkflowProgress(sysdb, ids)).map((p) => [p.workflowID, p.fingerprint]));

test("the fingerprint changes when a step commits or the status changes, and only then", async () => {
  const first = await byID(["w-1", "w-2", "missing"]);
  expect([...first.keys()].sort()).toEqual(["w-1", "w-2"]);
  expect(await byID(["w-1", "w-2"])).toEqual(first);

  await sysdb.sql`insert into dbos.operation_outputs (workflow_uuid, function_id, function_name, output,
    completed_at_epoch_ms) values ('w-1', 3, 'step', '1', 99)`;
  const afterStep = await byID(["w-1", "w-2"]);
  expect(afterStep.get("w-1")).not.toBe(first.get("w-1"));
  expect(afterStep.get("w-2")).toBe(first.get("w-2"));

  await sysdb.sql`update dbos.workflow_status set status = 'ERROR', updated_at = updated_at + 1
    where workflow_uuid = 'w-2'`;
  const afterStatus = await byID(["w-1", "w-2"]);
  expect(afterStatus.get("w-2")).not.toBe(first.get("w-2"));
  expect(afterStatus.get("w-1")).toBe(afterStep.get("w-1"));

  await expect(watchedWorkflowProgress(sysdb, [])).resolves.toEqual([]);
});

test("its plan reads both tables by their keys, with no sequential scan", async () => {
  statements.length = 0;
  await watchedWorkflowProgress(sysdb, ["w-10", "w-20000"]);
  expect(statements).toHaveLength(1);
  const plan = (await sysdb.sql.unsafe(`explain ${statements[0]!.text}`, statements[0]!.parameters as never[]))
    .map((r) => r["QUERY PLAN"] as string)
    .join("\n");
  expect(plan).not.toMatch(/Seq Scan/);
  expect(plan).toMatch(/Scan (using|on) workflow_status_pkey/);
  expect(plan).toMatch(/Scan (using|on) operation_outputs_pkey/);
});
