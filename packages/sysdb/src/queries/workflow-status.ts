// Writes and reads of one workflow's status row: start, read, outcome. Each is one statement.
import { DurablyError } from "../durably-error.js";
import type { SystemDatabase } from "../system-database.js";
import { toWorkflowRecord, type WorkflowRecord, type WorkflowStatusName } from "./workflow-record.js";
import { textList } from "./text-list.js";

export interface NewWorkflow {
  readonly workflowID: string;
  readonly status: "PENDING" | "ENQUEUED" | "DELAYED";
  readonly name: string;
  readonly queueName: string | null;
  readonly executorID: string | null;
  readonly applicationVersion: string | null;
  /** Owner; null leaves the workflow unclaimed (any application's executors may run it). */
  readonly applicationName: string | null;
  readonly applicationID: string | null;
  readonly timeoutMs: number | null;
  readonly deadlineEpochMs: number | null;
  readonly ownerXid: string;
  readonly parentWorkflowID: string | null;
  readonly serialization: string;
  readonly inputs: string;
  readonly priority: number;
  readonly deduplicationID: string | null;
  readonly queuePartitionKey: string | null;
  readonly delayUntilEpochMs: number | null;
  /** The schedule whose tick this workflow is. */
  readonly scheduleName?: string | null;
  readonly now: number;
  /** When a workflow starts a child: the parent's step that records the link. */
  readonly parentStep?: { readonly stepID: number } | undefined;
}

/**
 * Inserts a workflow (status row, input row and, for a child, the parent's link step) in one
 * statement. Returns null when the ID was new; otherwise the existing row, untouched. An enqueue
 * whose partition key does not fit its queue's row in dbos.queues (a key is required on a
 * partitioned queue, refused on any other) inserts nothing and throws INVALID_ARGUMENT naming partitionKey:
 * checked here, not by the caller, so a client that knows no queue settings is refused too.
 */
export async function insertWorkflow(sysdb: SystemDatabase, w: NewWorkflow): Promise<WorkflowRecord | null> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const attempts = w.status === "PENDING" ? 1 : 0;
  const linkStep = w.parentStep?.stepID ?? null;
  // A child workflow's start also records it at its parent's step; only then is that CTE there.
  const parentLink = (stepID: number) => sql`, link as (
      insert into ${s}.operation_outputs (workflow_uuid, function_id, function_name, child_workflow_id,
        started_at_epoch_ms, completed_at_epoch_ms, application_name)
      select ${w.parentWorkflowID}, ${stepID}::int4, ${w.name}, ${w.workflowID}, ${w.now}, ${w.now}, ${w.applicationName}
      on conflict (workflow_uuid, function_id) do nothing
    )`;
  // Only an enqueue reads its queue's row (one primary-key lookup); a direct start is unchanged.
  const queued = w.queueName !== null;
  const [row] = await sql`
    with ${queued ? sql`queue as (select partition_queue from ${s}.queues where name = ${w.queueName}), ` : sql``}ins as (
      insert into ${s}.workflow_status (
        workflow_uuid, status, name, queue_name, executor_id, application_version, application_name,
        application_id, workflow_timeout_ms, workflow_deadline_epoch_ms, owner_xid, creator_xid,
        parent_workflow_id, serialization, recovery_attempts, authenticated_roles, priority,
        deduplication_id, queue_partition_key, delay_until_epoch_ms, schedule_name, created_at, updated_at)
      ${queued ? sql`select` : sql`values (`}
        ${w.workflowID}, ${w.status}, ${w.name}, ${w.queueName}, ${w.executorID}, ${w.applicationVersion},
        ${w.applicationName}, ${w.applicationID}, ${w.timeoutMs}, ${w.deadlineEpochMs}, ${w.ownerXid},
        ${w.ownerXid}, ${w.parentWorkflowID}, ${w.serialization}, ${attempts}, '[]', ${w.priority},
        ${w.deduplicationID}, ${w.queuePartitionKey}, ${w.delayUntilEpochMs}, ${w.scheduleName ?? null}, ${w.now}, ${w.now}
      ${queued ? sql`where not exists (select 1 from queue where partition_queue <> ${w.queuePartitionKey !== null})` : sql`)`}
      on conflict (workflow_uuid) do nothing
      returning workflow_uuid
    ), input as (
      -- A stale input row of a deleted workflow (it has no foreign key) must not block a new one.
      insert into ${s}.workflow_input (workflow_uuid, inputs, retention_timestamp)
      select workflow_uuid, ${w.inputs}, ${w.now} from ins
      on conflict (workflow_uuid) do update set inputs = excluded.inputs, retention_timestamp = excluded.retention_timestamp
    )${linkStep === null ? sql`` : parentLink(linkStep)}
    select count(*)::int as inserted${queued ? sql`, (select partition_queue from queue) as partition_queue` : sql``} from ins`;
  if (row?.inserted === 1) return null;
  if (queued && row?.partition_queue === (w.queuePartitionKey === null)) throw partitionKeyMismatch(w.queueName!, row.partition_queue as boolean, w.workflowID);
  const existing = await getWorkflow(sysdb, w.workflowID);
  if (existing === undefined) {
    // Neither inserted nor there: the row was deleted between the two statements. Never report
    // that as a new workflow: let the caller retry.
    const message = `Workflow ${w.workflowID} was neither inserted nor found; retrying the start.`;
    throw new DurablyError("CONCURRENT_DELETE", message, { workflowID: w.workflowID });
  }
  return existing;
}

/** Reads one workflow's status row, with its input, output and error texts. */
export async function getWorkflow(sysdb: SystemDatabase, workflowID: string): Promise<WorkflowRecord | undefined> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const [row] = await sql`
    select w.*, coalesce(i.inputs, w.inputs) as inputs, coalesce(o.output, w.output) as output,
           coalesce(o.error, w.error) as error
    from ${s}.workflow_status w
    left join ${s}.workflow_input i on i.workflow_uuid = w.workflow_uuid
    left join ${s}.workflow_output o on o.workflow_uuid = w.workflow_uuid
    where w.workflow_uuid = ${workflowID}`;
  return row === undefined ? undefined : toWorkflowRecord(row);
}

export interface WorkflowOutcome {
  readonly workflowID: string;
  readonly ownerXid: string;
  readonly status: "SUCCESS" | "ERROR";
  readonly output: string | null;
  readonly error: string | null;
  readonly now: number;
}

/**
 * Records a workflow's outcome, only while the row is PENDING and owned by this run. Returns
 * false when the run lost the row (cancelled, resumed, dead-lettered or re-owned meanwhile).
 */
export async function recordWorkflowOutcome(sysdb: SystemDatabase, o: WorkflowOutcome): Promise<boolean> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const rows = await sql`
    with upd as (
      update ${s}.workflow_status
      set status = ${o.status}, updated_at = ${o.now}, completed_at = ${o.now},
          deduplication_id = null, owner_xid = null
      where workflow_uuid = ${o.workflowID} and status = 'PENDING' and owner_xid = ${o.ownerXid}
      returning workflow_uuid
    )
    insert into ${s}.workflow_output (workflow_uuid, output, error, retention_timestamp)
    select workflow_uuid, ${o.output}, ${o.error}, ${o.now} from upd
    on conflict (workflow_uuid) do update set output = excluded.output, error = excluded.error
    returning workflow_uuid`;
  return rows.length === 1;
}

/** Reads the status names of several workflows at once (for the cancellation sweep). */
export async function getStatuses(
  sysdb: SystemDatabase,
  workflowIDs: readonly string[],
): Promise<Map<string, { status: WorkflowStatusName; ownerXid: string | null }>> {
  const { sql } = sysdb;
  const rows = await sql`
    select workflow_uuid, status, owner_xid from ${sql(sysdb.schema)}.workflow_status
    where workflow_uuid = any(${textList(sql, workflowIDs)})`;
  return new Map(rows.map((r) => [r.workflow_uuid as string, { status: r.status, ownerXid: r.owner_xid }]));
}

/** The workflow that holds a deduplication ID on a queue, if any (it is cleared on completion). */
export async function findByDeduplicationID(sysdb: SystemDatabase, queueName: string, deduplicationID: string): Promise<string | undefined> {
  const { sql } = sysdb;
  const [row] = await sql`
    select workflow_uuid from ${sql(sysdb.schema)}.workflow_status
    where queue_name = ${queueName} and deduplication_id = ${deduplicationID}`;
  return row?.workflow_uuid as string | undefined;
}

/** The INVALID_ARGUMENT of an enqueue whose partition key does not fit its queue. */
export function partitionKeyMismatch(queueName: string, partitioned: boolean, workflowID?: string): DurablyError {
  return new DurablyError(
    "INVALID_ARGUMENT",
    partitioned
      ? `Queue ${queueName} is partitioned (partitionQueue: true): an enqueue on it needs a partitionKey, e.g. { queue: ${JSON.stringify(queueName)}, partitionKey: "customer-42" }; without one it would never run.`
      : `Queue ${queueName} is not partitioned: drop partitionKey, or register the queue with { partitionQueue: true }.`,
    { ...(workflowID === undefined ? {} : { workflowID }), details: { option: "partitionKey", queueName, partitioned } },
  );
}
