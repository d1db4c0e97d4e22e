// The hot statements stay short and index-driven with 100,000 queued and 100,000 finished
// workflows (300,000 steps, their inputs and outputs) in the tables: the claim, the group commit of checkpoints and
// outcomes, the start, the status read, listings, the step reads, and retention.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { migrateSystemDatabase, openSystemDatabase, type SystemDatabase } from "../src/index.js";
import {
  claimQueuedWorkflows,
  countRecentWorkflows,
  countRecoveredWorkflows,
  queueLatencies,
  deleteFinishedWorkflows,
  getWorkflow,
  insertWorkflow,
  listCheckpoints,
  listWorkflows,
  loadCheckpoints,
  nthNewestCreatedAt,
  writeGroupCommit,
} from "../src/queries.js";

const db = useTestDatabase();
let sysdb: SystemDatabase;
const statements: Array<{ text: string; parameters: readonly unknown[] }> = [];

beforeAll(async () => {
  sysdb = openSystemDatabase({
    url: db.url,
    poolSize: 2,
    onQuery: (text, _c, parameters) => void statements.push({ text, parameters }),
  });
  await migrateSystemDatabase(sysdb);
  await sysdb.sql`
    insert into dbos.workflow_status
      (workflow_uuid, status, name, queue_name, application_version, created_at, updated_at, priority)
    select 'wf-' || i, 'ENQUEUED', 'task', case when i % 10 = 0 then 'other' else 'busy' end, 'v1',
      1000000 + i, 1000000 + i, i % 3
    from generate_series(1, 100000) as i`;
  // History: finished workflows of an application, each with 3 steps.
  await sysdb.sql`
    insert into dbos.workflow_status
      (workflow_uuid, status, name, application_name, application_version, created_at, updated_at, completed_at)
    select 'done-' || i, case when i % 12 = 0 then 'ERROR' else 'SUCCESS' end, 'task', 'app', 'v1',
      500000 + i, 500000 + i, 500000 + i
    from generate_series(1, 100000) as i`;
  await sysdb.sql`
    insert into dbos.operation_outputs (workflow_uuid, function_id, function_name, output)
    select 'done-' || i, s, 'step', '1' from generate_series(1, 100000) as i, generate_series(0, 2) as s`;
  await sysdb.sql`
    insert into dbos.workflow_input (workflow_uuid, inputs) select 'done-' || i, '[]' from generate_series(1, 100000) as i`;
  await sysdb.sql`
    insert into dbos.workflow_output (workflow_uuid, output) select 'done-' || i, '1' from generate_series(1, 100000) as i`;
  await sysdb.sql`analyze dbos.workflow_status, dbos.operation_outputs, dbos.workflow_input, dbos.workflow_output`;
}, 120_000);
afterAll(() => sysdb.close());

/** Runs `call`, then returns the EXPLAIN of the one statement it sent that `pick` matches. */
async function planOf(call: () => Promise<unknown>, pick: (text: string) => boolean = () => true): Promise<string> {
  statements.length = 0;
  await call();
  const sent = statements.filter((s) => pick(s.text));
  expect(sent, statements.map((s) => s.text).join("\n")).toHaveLength(1);
  return (await sysdb.sql.unsafe(`explain ${sent[0]!.text}`, sent[0]!.parameters as never[]))
    .map((r) => r["QUERY PLAN"] as string)
    .join("\n");
}

const noSeqScan = /Seq Scan on (workflow_status|operation_outputs|workflow_input|workflow_output)/;

test("the claim's plan walks the in-flight index, never a sequential scan of workflow_status", async () => {
  statements.length = 0;
  const me = {
    executorID: "e1",
    leaseID: "lease1",
    applicationVersion: "v1",
    servedVersions: ["v1"],
    applicationName: "app",
    now: Date.now(),
  };
  const claimed = await claimQueuedWorkflows(sysdb, me, "busy", {
    maxClaim: 10,
    concurrency: null,
    rateLimit: null,
    partitionKey: null,
    partitionConcurrency: null,
    partitionRateLimit: null,
    names: ["task"],
  });
  expect(claimed.map((w) => w.priority)).toEqual(Array(10).fill(0));
  const claim = statements.find((s) => s.text.includes("for update skip locked"))!;
  const plan = (await sysdb.sql.unsafe(`explain ${claim.text}`, claim.parameters as never[]))
    .map((r) => r["QUERY PLAN"] as string)
    .join("\n");
  expect(plan).toContain("idx_workflow_status_in_flight_v2");
  expect(plan).not.toMatch(/Seq Scan on workflow_status/);
});

test("the group commit reads and updates workflow_status by primary key only", async () => {
  const me = {
    executorID: "e2",
    leaseID: "lease2",
    applicationVersion: "v1",
    servedVersions: ["v1"],
    applicationName: "app",
    now: Date.now(),
  };
  const claimed = await claimQueuedWorkflows(sysdb, me, "other", {
    maxClaim: 3,
    concurrency: null,
    rateLimit: null,
    partitionKey: null,
    partitionConcurrency: null,
    partitionRateLimit: null,
    names: ["task"],
  });
  expect(claimed).toHaveLength(3);
  const [a, b, c] = claimed.map((w) => ({ id: w.workflowID, owner: w.ownerXid! }));
  const checkpoint = (w: { id: string; owner: string }, stepID: number) => ({
    workflowID: w.id,
    stepID,
    name: "s",
    output: "1",
    error: null,
    childWorkflowID: null,
    serialization: "portable_json",
    startedAt: me.now,
    completedAt: me.now,
    ownerXid: w.owner,
    applicationName: "app",
  });
  const outcome = (w: { id: string; owner: string }, ownerXid = w.owner) => ({
    workflowID: w.id,
    ownerXid,
    status: "SUCCESS" as const,
    output: "2",
    error: null,
    now: me.now,
  });
  statements.length = 0;
  // a: a step and its outcome; b: a step, then an outcome from a run that does not own it; c: a duplicate step.
  const first = await writeGroupCommit(
    sysdb,
    [checkpoint(a!, 1), checkpoint(b!, 1), checkpoint(c!, 1)],
    [outcome(a!), outcome(b!, "stranger")],
  );
  expect([...first.checkpoints].sort()).toEqual([`${a!.id}:1`, `${b!.id}:1`, `${c!.id}:1`].sort());
  expect([...first.outcomes]).toEqual([a!.id]);
  const second = await writeGroupCommit(sysdb, [checkpoint(c!, 1), checkpoint(a!, 2)], []);
  expect(second).toEqual({ checkpoints: new Set(), outcomes: new Set() }); // c's step is taken; a is finished
  // b's outcome alone, from the run that owns it.
  const third = await writeGroupCommit(sysdb, [], [outcome(b!)]);
  expect(third).toEqual({ checkpoints: new Set(), outcomes: new Set([b!.id]) });
  const outcomes = await sysdb.sql`select workflow_uuid, w.status, o.output
    from dbos.workflow_status w join dbos.workflow_output o using (workflow_uuid)
    where workflow_uuid in (${a!.id}, ${b!.id}) order by workflow_uuid = ${a!.id} desc`;
  expect(outcomes.map((r) => [r.status, r.output])).toEqual([
    ["SUCCESS", "2"],
    ["SUCCESS", "2"],
  ]);

  // Three shapes: checkpoints and outcomes, checkpoints only, outcomes only.
  const writes = statements.filter((s) => s.text.includes("json_to_recordset"));
  expect(new Set(writes.map((w) => w.text)).size).toBe(3);
  for (const write of writes) {
    const plan = (await sysdb.sql.unsafe(`explain ${write.text}`, write.parameters as never[]))
      .map((r) => r["QUERY PLAN"] as string)
      .join("\n");
    expect(plan).not.toMatch(/Seq Scan on workflow_status/);
    expect(plan).not.toMatch(/Index.* Scan using (idx_workflow_status_(?!pkey)\w+|workflow_status_status)/);
  }
});

test("the start inserts by primary key, touching no other index of workflow_status for reads", async () => {
  const plan = await planOf(() =>
    insertWorkflow(sysdb, {
      workflowID: "new-1",
      status: "PENDING",
      name: "task",
      queueName: null,
      executorID: "e1",
      applicationVersion: "v1",
      applicationName: "app",
      applicationID: null,
      timeoutMs: null,
      deadlineEpochMs: null,
      ownerXid: "x1",
      parentWorkflowID: null,
      serialization: "portable_json",
      inputs: "[]",
      priority: 0,
      deduplicationID: null,
      queuePartitionKey: null,
      delayUntilEpochMs: null,
      now: Date.now(),
    }),
  );
  expect(plan).not.toMatch(noSeqScan);
});

test("getStatus and retrieveWorkflow read one workflow by primary key", async () => {
  const plan = await planOf(() => getWorkflow(sysdb, "done-77"));
  expect(plan).toContain("workflow_status_pkey");
  expect(plan).not.toMatch(noSeqScan);
});

test("listWorkflows' first page walks the created_at index backwards, with or without a status filter", async () => {
  const page = await planOf(() => listWorkflows(sysdb, { applicationName: "app", sortDesc: true, limit: 20 }));
  expect(page).toContain("workflow_status_created_at_index");
  expect(page).not.toMatch(noSeqScan);
  const failed = await planOf(() =>
    listWorkflows(sysdb, { applicationName: "app", status: ["ERROR"], sortDesc: true, limit: 20 }),
  );
  // A partial index of failures only (which one is the planner's call here; failed-status-filter-plan.test.ts
  // shows the skew where only migration 0010's keeps the walk to failures).
  expect(failed).toMatch(
    /Index Scan Backward using (durably_workflow_status_failed_created_at|idx_workflow_status_failed)/,
  );
  expect(failed).not.toMatch(noSeqScan);
  const succeeded = await planOf(() =>
    listWorkflows(sysdb, { applicationName: "app", status: ["SUCCESS"], sortDesc: true, limit: 20 }),
  );
  expect(succeeded).toContain("workflow_status_created_at_index");
  expect(succeeded).not.toMatch(noSeqScan);
});

test("getWorkflowSteps and a replay's load read one workflow's steps by primary key", async () => {
  for (const plan of [
    await planOf(() => listCheckpoints(sysdb, "done-77")),
    await planOf(() => loadCheckpoints(sysdb, "done-77")),
  ]) {
    expect(plan).toContain("operation_outputs_pkey");
    expect(plan).not.toMatch(noSeqScan);
  }
});

test("retention finds the newest-N bound on the created_at index", async () => {
  const plan = await planOf(() => nthNewestCreatedAt(sysdb, 1000, "app"));
  expect(plan).toContain("workflow_status_created_at_index");
  expect(plan).not.toMatch(noSeqScan);
  // A keep-newest batch walks the created_at index from its oldest end and deletes steps by primary key.
  const batch = await planOf(() => deleteFinishedWorkflows(sysdb, { by: "createdAt", before: 0 }, 100, "app"));
  expect(batch).toContain("workflow_status_created_at_index");
  expect(batch).toContain("operation_outputs_pkey");
  expect(batch).not.toMatch(noSeqScan);
});

test("a retention batch by age walks the finished-at index (migration 0009), never all of workflow_status", async () => {
  // Premise: the age bound matches most of the table, where a scan would otherwise be the cheaper plan.
  const [old] = await sysdb.sql`select count(*)::int as n from dbos.workflow_status
    where status in ('SUCCESS', 'ERROR') and coalesce(completed_at, updated_at) < 600001`;
  expect(old!.n).toBe(100000);
  const plan = await planOf(() => deleteFinishedWorkflows(sysdb, { by: "finishedAt", before: 600_001 }, 1000, "app"));
  // An ordered index scan that stops at the LIMIT: no bitmap of every match, no sort of them.
  expect(plan).toMatch(/Index Scan using durably_workflow_status_finished_at on workflow_status/);
  expect(plan).not.toMatch(/Bitmap Heap Scan on workflow_status|Sort/);
  // The batch's steps, inputs and outputs go by their primary keys, never a scan of the table.
  for (const key of ["operation_outputs_pkey", "workflow_input_pkey", "workflow_output_pkey"]) {
    expect(plan).toContain(key);
  }
  expect(plan).not.toMatch(noSeqScan);
});

test("durably metrics' fleet queries walk the created_at, started_at and PENDING indexes over their window", async () => {
  const recent = await planOf(() => countRecentWorkflows(sysdb, 1_099_000));
  expect(recent).toContain("workflow_status_created_at_index");
  expect(recent).not.toMatch(noSeqScan);
  const latency = await planOf(() => queueLatencies(sysdb, 1_099_000));
  expect(latency).toContain("idx_workflow_status_started_at");
  expect(latency).not.toMatch(noSeqScan);
  const recovered = await planOf(() => countRecoveredWorkflows(sysdb));
  expect(recovered).toContain("idx_workflow_status_pending");
  expect(recovered).not.toMatch(noSeqScan);
});
