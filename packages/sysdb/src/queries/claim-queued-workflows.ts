// Claiming from a queue with flow control: global concurrency and rate limits are counted in the
// database, by its clock, under a per-queue advisory lock so workers never overshoot together.
import type { SystemDatabase } from "../system-database.js";
import {
  claimWithToken,
  databaseNow,
  dequeueWithToken,
  dequeueWorkflows,
  type ExecutorIdentity,
} from "./claim-workflows.js";
import type { WorkflowRecord } from "./workflow-record.js";
import { textList } from "./text-list.js";

export interface RateLimit {
  readonly limit: number;
  readonly periodSec: number;
}

export interface QueueLimits {
  /** Most workflows this worker may take now (its worker limits minus its running ones). */
  readonly maxClaim: number;
  /** Most workflows of the whole queue PENDING at once, across all workers and partitions. */
  readonly concurrency: number | null;
  /** Most starts of the whole queue in any `periodSec` window, across all workers. */
  readonly rateLimit: RateLimit | null;
  /** The partition claimed from (null: the whole queue). The partition limits need one. */
  readonly partitionKey: string | null;
  /** Most workflows of this partition PENDING at once, across all workers. */
  readonly partitionConcurrency: number | null;
  /** Most starts of this partition in any `periodSec` window, across all workers. */
  readonly partitionRateLimit: RateLimit | null;
  /** Names of the workflows this worker can run. */
  readonly names: readonly string[];
}

/**
 * Claims what the limits allow in one short transaction. Without global limits it is a single
 * SKIP LOCKED statement; with them, workers of the queue take turns on an advisory lock.
 */
export async function claimQueuedWorkflows(
  sysdb: SystemDatabase,
  me: ExecutorIdentity,
  queueName: string,
  limits: QueueLimits,
): Promise<WorkflowRecord[]> {
  if (limits.maxClaim <= 0 || limits.names.length === 0) return [];
  const partition = limits.partitionKey;
  const partitionConcurrency = partition === null ? null : limits.partitionConcurrency;
  const partitionRateLimit = partition === null ? null : limits.partitionRateLimit;
  const queueWide = limits.concurrency !== null || limits.rateLimit !== null;
  const filter = {
    names: limits.names,
    partitionKey: partition,
    rateLimited: limits.rateLimit !== null || partitionRateLimit !== null,
  };
  if (!queueWide && partitionConcurrency === null && partitionRateLimit === null) {
    return dequeueWorkflows(sysdb, me, queueName, limits.maxClaim, filter);
  }
  return claimWithToken(
    sysdb,
    me.leaseID,
    async (token) =>
      (await sysdb.sql.begin(async (sql) => {
        const s = sql(sysdb.schema);
        // A queue-wide limit needs every partition's claims to take turns; partition limits alone
        // only that partition's.
        const lockKey = JSON.stringify([queueName, queueWide ? null : partition]);
        await sql`set local lock_timeout = '5s'`;
        await sql`select pg_advisory_xact_lock(hashtext('durably.queue'), hashtext(${lockKey}))`;
        const inScope = (key: string | null) => sql`(${key}::text is null or queue_partition_key = ${key}::text)`;
        const pending = async (key: string | null) => {
          const [row] = await sql`
        select count(*)::int as n from ${s}.workflow_status
        where queue_name = ${queueName} and status = 'PENDING' and ${inScope(key)}`;
          return (row?.n as number | undefined) ?? 0;
        };
        const started = async (rate: RateLimit, key: string | null) => {
          const [row] = await sql`
        select count(*)::int as n from ${s}.workflow_status
        where queue_name = ${queueName} and rate_limited
          and status not in ('ENQUEUED', 'DELAYED')
          and started_at_epoch_ms > ${sql.unsafe(databaseNow)} - ${rate.periodSec * 1000}::float8
          and ${inScope(key)}`;
          return (row?.n as number | undefined) ?? 0;
        };
        let room = limits.maxClaim;
        if (limits.concurrency !== null) room = Math.min(room, limits.concurrency - (await pending(null)));
        if (partitionConcurrency !== null) room = Math.min(room, partitionConcurrency - (await pending(partition)));
        if (limits.rateLimit !== null)
          room = Math.min(room, limits.rateLimit.limit - (await started(limits.rateLimit, null)));
        if (partitionRateLimit !== null)
          room = Math.min(room, partitionRateLimit.limit - (await started(partitionRateLimit, partition)));
        if (room <= 0) return [];
        return dequeueWithToken(sysdb, sql, me, queueName, room, filter, token);
      })) as WorkflowRecord[],
  );
}

/** The partition keys that have ENQUEUED work on a partitioned queue. */
export async function listEnqueuedPartitions(sysdb: SystemDatabase, queueName: string): Promise<string[]> {
  const { sql } = sysdb;
  const rows = await sql`
    select distinct queue_partition_key as key from ${sql(sysdb.schema)}.workflow_status
    where queue_name = ${queueName} and status = 'ENQUEUED' and queue_partition_key is not null`;
  return rows.map((r) => r.key as string);
}

/**
 * Moves DELAYED workflows whose time has come (by the database clock) to ENQUEUED. Returns the
 * queues that got work, and how long until the next delayed workflow is due (if any).
 */
export async function promoteDelayedWorkflows(
  sysdb: SystemDatabase,
  applicationName: string,
): Promise<{ queues: string[]; nextDueInMs: number | null }> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const now = sql.unsafe(databaseNow);
  const scope = sql`(application_name = ${applicationName} or application_name is null)`;
  const moved = await sql`
    update ${s}.workflow_status
    set status = 'ENQUEUED', updated_at = ${now},
        deduplication_id = case when is_debounced then null else deduplication_id end
    where status = 'DELAYED' and delay_until_epoch_ms <= ${now} and ${scope}
    returning queue_name`;
  const [next] = await sql`
    select min(delay_until_epoch_ms) - ${now} as due from ${s}.workflow_status
    where status = 'DELAYED' and ${scope}`;
  return {
    queues: [...new Set(moved.map((r) => r.queue_name as string))],
    nextDueInMs: next?.due === null || next?.due === undefined ? null : Math.max(0, Number(next.due)),
  };
}

/** Queue names with ENQUEUED work of this application that no queue definition covers. */
export async function listUnservedQueueNames(
  sysdb: SystemDatabase,
  applicationName: string,
  known: readonly string[],
): Promise<string[]> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const rows = await sql`
    select distinct queue_name from ${s}.workflow_status w
    where status = 'ENQUEUED' and (application_name = ${applicationName} or application_name is null)
      and queue_name <> all(${textList(sql, known)})
      and not exists (select 1 from ${s}.queues q where q.name = w.queue_name)`;
  return rows.map((r) => r.queue_name as string);
}
