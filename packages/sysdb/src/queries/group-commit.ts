// One statement for everything a batch of running workflows has to record: step checkpoints and
// workflow outcomes, so that many workflows share one round trip and one commit.
import type { SystemDatabase } from "../system-database.js";
import type { NewCheckpoint } from "./operation-outputs.js";
import type { WorkflowOutcome } from "./workflow-status.js";

export interface GroupCommitResult {
  /** `workflowID:stepID` of each checkpoint written. */
  readonly checkpoints: Set<string>;
  /** IDs of the workflows whose outcome was recorded. */
  readonly outcomes: Set<string>;
}

/**
 * Writes checkpoints and outcomes of any number of workflows in one statement. Each is written
 * only while its workflow is PENDING and owned by the given run (a checkpoint also only if its
 * step has none yet); the result says which were. A batch of only checkpoints or only outcomes
 * gets a statement without the other half: each step of a lone workflow is such a batch, and
 * every clause more is executor work on its commit's critical path.
 */
export async function writeGroupCommit(
  sysdb: SystemDatabase,
  checkpoints: readonly NewCheckpoint[],
  outcomes: readonly WorkflowOutcome[],
): Promise<GroupCommitResult> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  // Two groups of CTEs: `written` (the checkpoints inserted) and `finished` (the outcomes recorded).
  const checkpointCtes = () => sql`
    c as (
      select * from json_to_recordset(${checkpointsJson(checkpoints)}::text::json)
        as c(workflow_uuid text, function_id int4, function_name text, output text, error text, child_workflow_id text,
             started_at int8, completed_at int8, serialization text, application_name text, owner_xid text)
    ), written as (
      insert into ${s}.operation_outputs (workflow_uuid, function_id, function_name, output, error,
        child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name)
      select c.workflow_uuid, c.function_id, c.function_name, c.output, c.error, c.child_workflow_id,
             c.started_at, c.completed_at, c.serialization, c.application_name
      from c
      -- A scalar subquery runs per row on the primary key; a join lets a generic plan scan every
      -- PENDING index entry (dead ones too, until vacuum), which grows with history.
      where (select w.status = 'PENDING' and w.owner_xid = c.owner_xid
             from ${s}.workflow_status w where w.workflow_uuid = c.workflow_uuid)
      on conflict (workflow_uuid, function_id) do nothing
      returning workflow_uuid, function_id
    )`;
  const outcomeCtes = () => sql`
    o as materialized (
      select *, 'PENDING'::text as running from json_to_recordset(${outcomesJson(outcomes)}::text::json)
        as o(workflow_uuid text, owner_xid text, status text, output text, error text, now int8)
    ), finished as (
      -- By primary key only: status is compared with a column of o, not a literal, which would
      -- let the planner walk the PENDING partial index (dead entries too, until vacuum) instead.
      update ${s}.workflow_status w
      set status = o.status, updated_at = o.now, completed_at = o.now, deduplication_id = null, owner_xid = null
      from o
      where w.workflow_uuid = any(array(select workflow_uuid from o)) and w.workflow_uuid = o.workflow_uuid
        and w.status = o.running and w.owner_xid = o.owner_xid
      returning w.workflow_uuid
    ), outputs as (
      insert into ${s}.workflow_output (workflow_uuid, output, error, retention_timestamp)
      select o.workflow_uuid, o.output, o.error, o.now from o where o.workflow_uuid in (select workflow_uuid from finished)
      on conflict (workflow_uuid) do update set output = excluded.output, error = excluded.error
    )`;
  const rows =
    outcomes.length === 0
      ? await sql`with ${checkpointCtes()} select workflow_uuid, function_id from written`
      : checkpoints.length === 0
        ? await sql`with ${outcomeCtes()} select workflow_uuid, null as function_id from finished`
        : await sql`
            with ${checkpointCtes()}, ${outcomeCtes()}
            select workflow_uuid, function_id from written
            union all
            select workflow_uuid, null from finished`;
  const result: GroupCommitResult = { checkpoints: new Set(), outcomes: new Set() };
  for (const r of rows) {
    if (r.function_id === null) result.outcomes.add(r.workflow_uuid as string);
    else result.checkpoints.add(`${r.workflow_uuid}:${r.function_id}`);
  }
  return result;
}

function checkpointsJson(checkpoints: readonly NewCheckpoint[]): string {
  return JSON.stringify(
    checkpoints.map((r) => ({
      workflow_uuid: r.workflowID,
      function_id: r.stepID,
      function_name: r.name,
      output: r.output,
      error: r.error,
      child_workflow_id: r.childWorkflowID,
      started_at: r.startedAt,
      completed_at: r.completedAt,
      serialization: r.serialization,
      application_name: r.applicationName,
      owner_xid: r.ownerXid,
    })),
  );
}

function outcomesJson(outcomes: readonly WorkflowOutcome[]): string {
  return JSON.stringify(outcomes.map((o) => ({ workflow_uuid: o.workflowID, owner_xid: o.ownerXid, status: o.status, output: o.output, error: o.error, now: o.now })));
}
