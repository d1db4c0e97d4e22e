// Taking ownership of workflows to run them: recovery of this executor's PENDING rows at launch,
// and dequeueing ENQUEUED rows. Each claim gives every row a fresh owner_xid in one statement.
import { classifyError } from "../sqlstate.js";
import { ownerTokenOf } from "./executor-leases.js";
import type { SystemDatabase } from "../system-database.js";
import { enqueuedChannel } from "./resume-workflows.js";
import { internalQueueName, toWorkflowRecord, type WorkflowRecord } from "./workflow-record.js";
import { textList } from "./text-list.js";

export interface ExecutorIdentity {
  readonly executorID: string;
  /** This process's lease (executor-leases.ts): it prefixes the owner token of every claim. */
  readonly leaseID: string;
  readonly applicationVersion: string;
  /** Every version this executor runs: its own and those its config declares compatible. */
  readonly servedVersions: readonly string[];
  readonly applicationName: string;
  readonly now: number;
}

/**
 * Claims this executor's PENDING workflows of the versions it serves that are not on a user
 * queue, bumping `recovery_attempts`. Those on a user queue go back to ENQUEUED on their queue,
 * so recovery respects the queue's flow control. Rows a live process is running (their owner
 * token names a live lease: another process with the same executor ID) are left to it. Returns
 * the claimed rows with their inputs.
 */
export async function claimWorkflowsForRecovery(
  sysdb: SystemDatabase,
  me: ExecutorIdentity,
): Promise<WorkflowRecord[]> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const served = textList(sql, me.servedVersions);
  const notRunningElsewhere = sql`
    not exists (select 1 from ${s}.durably_executor_leases l
                where l.lease_id = split_part(owner_xid, '.', 1) and l.ended_at is null
                  and l.lease_id <> ${me.leaseID})`;
  // The rows are picked on the statement's snapshot and updated only if their owner token is still
  // the one seen: a row a live process claimed meanwhile passes the NOT EXISTS above, which
  // Postgres does not re-run against a row's newest version (see executor-leases.ts, lockedIfUnchanged).
  const unchanged = sql`w.workflow_uuid = c.workflow_uuid and w.owner_xid is not distinct from c.owner_xid`;
  await sql`
    with candidates as materialized (
      select workflow_uuid, owner_xid from ${s}.workflow_status
      where status = 'PENDING' and executor_id = ${me.executorID}
        and application_version = any(${served})
        and (application_name = ${me.applicationName} or application_name is null)
        and queue_name is not null and queue_name <> ${internalQueueName} and ${notRunningElsewhere}
    )
    update ${s}.workflow_status w
    set status = 'ENQUEUED', started_at_epoch_ms = null, updated_at = ${me.now}
    from candidates c where ${unchanged} and w.status = 'PENDING'`;
  return claimWithToken(sysdb, me.leaseID, async (token) => {
    const rows = await sql`
      with candidates as materialized (
        select workflow_uuid, owner_xid from ${s}.workflow_status
        where status = 'PENDING' and executor_id = ${me.executorID}
          and application_version = any(${served})
          and (application_name = ${me.applicationName} or application_name is null)
          and (queue_name is null or queue_name = ${internalQueueName}) and ${notRunningElsewhere}
      ), claimed as (
        update ${s}.workflow_status w
        set owner_xid = ${token}, recovery_attempts = w.recovery_attempts + 1,
            updated_at = ${me.now}, application_name = coalesce(w.application_name, ${me.applicationName})
        from candidates c where ${unchanged} and w.status = 'PENDING' and w.executor_id = ${me.executorID}
        returning w.*
      )
      select c.*, coalesce(i.inputs, c.inputs) as inputs
      from claimed c left join ${s}.workflow_input i on i.workflow_uuid = c.workflow_uuid
      order by c.created_at`;
    return rows.map(toWorkflowRecord);
  });
}

export interface DequeueFilter {
  /** Only workflows with these names (the ones this executor can run). */
  readonly names: readonly string[];
  /** Only this partition of a partitioned queue. */
  readonly partitionKey?: string | null;
  /** Marks claimed rows as counting toward the queue's rate limit. */
  readonly rateLimited?: boolean;
}

/** Now, in epoch ms, by the database's clock: queue limits never trust a worker's clock. */
export const databaseNow = "(extract(epoch from clock_timestamp()) * 1000)::int8";

/**
 * Moves up to `limit` ENQUEUED workflows of `queueName` to PENDING for this executor, in
 * priority then creation order, skipping rows another worker is claiming. Rows of the versions it
 * serves keep their version (it names the code that recorded their steps); rows of no application
 * version are taken too and get this executor's (it counts as the latest version). Start times
 * and deadlines come from the database clock. A claim whose reply is lost is found again by its
 * token (see claimWithToken), so its workflows are not stranded.
 */
export function dequeueWorkflows(
  sysdb: SystemDatabase,
  me: ExecutorIdentity,
  queueName: string,
  limit: number,
  filter: DequeueFilter,
): Promise<WorkflowRecord[]> {
  return claimWithToken(sysdb, me.leaseID, (token) =>
    dequeueWithToken(sysdb, sysdb.sql, me, queueName, limit, filter, token),
  );
}

/** The claim statement itself; every claimed row gets `token` as its owner. Pass `sql` to run in a transaction. */
export async function dequeueWithToken(
  sysdb: SystemDatabase,
  sql: SystemDatabase["sql"],
  me: ExecutorIdentity,
  queueName: string,
  limit: number,
  filter: DequeueFilter,
  token: string,
): Promise<WorkflowRecord[]> {
  const s = sql(sysdb.schema);
  const now = sql.unsafe(databaseNow);
  const partition = filter.partitionKey ?? null;
  const rows = await sql`
    with picked as (
      select workflow_uuid from ${s}.workflow_status
      where queue_name = ${queueName} and status = 'ENQUEUED'
        and (application_version = any(${textList(sql, me.servedVersions)}) or application_version is null)
        and (application_name = ${me.applicationName} or application_name is null)
        and name = any(${textList(sql, filter.names)})
        and (${partition}::text is null or queue_partition_key = ${partition}::text)
      order by priority, created_at
      limit ${limit}
      for update skip locked
    ), claimed as (
      update ${s}.workflow_status w
      set status = 'PENDING', executor_id = ${me.executorID},
          application_version = coalesce(w.application_version, ${me.applicationVersion}),
          application_name = coalesce(w.application_name, ${me.applicationName}),
          started_at_epoch_ms = ${now}, updated_at = ${now}, owner_xid = ${token},
          recovery_attempts = w.recovery_attempts + 1, rate_limited = ${filter.rateLimited ?? false},
          workflow_deadline_epoch_ms = case
            when w.workflow_timeout_ms is not null and w.workflow_deadline_epoch_ms is null
            then ${now} + w.workflow_timeout_ms else w.workflow_deadline_epoch_ms end
      from picked where w.workflow_uuid = picked.workflow_uuid
      returning w.*
    )
    select c.*, coalesce(i.inputs, c.inputs) as inputs,
           exists (select 1 from ${s}.operation_outputs o where o.workflow_uuid = c.workflow_uuid) as has_checkpoints
    from claimed c left join ${s}.workflow_input i on i.workflow_uuid = c.workflow_uuid
    order by c.priority, c.created_at`;
  return rows.map(toWorkflowRecord);
}

/**
 * Dead-letters a claimed workflow that exceeded its recovery attempts: status
 * MAX_RECOVERY_ATTEMPTS_EXCEEDED, queue and deduplication cleared. Only while this run owns it.
 */
export async function deadLetterWorkflow(
  sysdb: SystemDatabase,
  workflowID: string,
  ownerXid: string,
  now: number,
): Promise<boolean> {
  const { sql } = sysdb;
  const rows = await sql`
    update ${sql(sysdb.schema)}.workflow_status
    set status = 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', deduplication_id = null, started_at_epoch_ms = null,
        queue_name = null, owner_xid = null, updated_at = ${now}
    where workflow_uuid = ${workflowID} and status = 'PENDING' and owner_xid = ${ownerXid}
    returning workflow_uuid`;
  return rows.length === 1;
}

/**
 * Hands the PENDING workflows of other (presumably dead) executors to whichever executor of
 * their application version dequeues them first: they go back to ENQUEUED on the internal
 * queue (or their own queue). Returns the IDs moved.
 */
export async function requeueWorkflowsOfExecutors(
  sysdb: SystemDatabase,
  executorIDs: readonly string[],
  applicationName: string,
  now: number,
): Promise<string[]> {
  const { sql } = sysdb;
  const rows = await sql`
    with moved as (
      update ${sql(sysdb.schema)}.workflow_status
      set status = 'ENQUEUED', started_at_epoch_ms = null, updated_at = ${now},
          queue_name = coalesce(nullif(queue_name, ''), ${internalQueueName})
      where status = 'PENDING' and executor_id = any(${textList(sql, executorIDs)})
        and (application_name = ${applicationName} or application_name is null)
      returning workflow_uuid, queue_name
    ), woken as (
      select pg_notify(${enqueuedChannel}, q.queue_name) from (select distinct queue_name from moved) q
    )
    select workflow_uuid, (select count(*) from woken) as n from moved`;
  return rows.map((r) => r.workflow_uuid as string);
}

/**
 * Runs a claim that tags the rows it takes with a fresh owner token of `leaseID`. If the
 * connection fails (the claim may have committed with its reply lost), looks the token up until
 * the database answers again and returns what the claim took, so claimed workflows are never
 * stranded PENDING.
 */
export async function claimWithToken(
  sysdb: SystemDatabase,
  leaseID: string,
  claim: (token: string) => Promise<WorkflowRecord[]>,
): Promise<WorkflowRecord[]> {
  const token = ownerTokenOf(leaseID);
  try {
    return await claim(token);
  } catch (error) {
    if (classifyError(error) !== "connection") throw error;
    for (let attempt = 0, delay = 100; attempt < 10; attempt++, delay = Math.min(delay * 2, 3_000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        return await findClaimed(sysdb, token);
      } catch (lookupError) {
        if (classifyError(lookupError) !== "connection") throw lookupError;
      }
    }
    throw error;
  }
}

/** The PENDING workflows a claim with `token` took (rare path: only after a lost reply). */
async function findClaimed(sysdb: SystemDatabase, token: string): Promise<WorkflowRecord[]> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const rows = await sql`
    select w.*, coalesce(i.inputs, w.inputs) as inputs
    from ${s}.workflow_status w left join ${s}.workflow_input i on i.workflow_uuid = w.workflow_uuid
    where w.status = 'PENDING' and w.owner_xid = ${token}
    order by w.priority, w.created_at`;
  return rows.map(toWorkflowRecord);
}
