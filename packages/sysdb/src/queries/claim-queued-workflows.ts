// Claiming from a queue with flow control: global concurrency and rate limits are counted in the
// database, by its clock, under a per-queue advisory lock so workers never overshoot together.
import { sql, type ExpressionBuilder } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import { inTransaction, type Queryable, type TransactionQueryable } from "../queryable.js";
import type { SystemSchema } from "../tables.js";
import { claimWithToken } from "./claim-with-token.js";
import { databaseNow } from "./database-now.js";
import { dequeueWithToken, dequeueWorkflows, type DequeueOptions } from "./dequeue-workflows.js";
import type { ExecutorIdentity } from "./executor-identity.js";
import type { WorkflowRecord } from "./workflow-record.js";
import { statusLiteral } from "./workflow-status-name.js";

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
  on: Queryable,
  me: ExecutorIdentity,
  queueName: string,
  limits: QueueLimits,
): Promise<WorkflowRecord[]> {
  if (limits.maxClaim <= 0 || limits.names.length === 0) return [];
  // The partition limits apply only to a claim from one partition.
  const partition = limits.partitionKey;
  const effective: QueueLimits = {
    ...limits,
    partitionConcurrency: partition === null ? null : limits.partitionConcurrency,
    partitionRateLimit: partition === null ? null : limits.partitionRateLimit,
  };
  const dequeue: DequeueOptions = {
    identity: me,
    queueName,
    limit: limits.maxClaim,
    names: limits.names,
    partitionKey: partition,
    rateLimited: effective.rateLimit !== null || effective.partitionRateLimit !== null,
  };
  const limited =
    effective.concurrency !== null ||
    effective.rateLimit !== null ||
    effective.partitionConcurrency !== null ||
    effective.partitionRateLimit !== null;
  if (!limited) return dequeueWorkflows(on, dequeue);
  return claimWithToken(on, me.leaseID, (token) =>
    inTransaction(on, (tx) => claimWithinLimits(tx, effective, dequeue, token)),
  );
}

/** Takes the queue's advisory lock, counts what the limits leave room for, and claims that many. */
async function claimWithinLimits(
  tx: TransactionQueryable,
  limits: QueueLimits,
  dequeue: DequeueOptions,
  token: string,
): Promise<WorkflowRecord[]> {
  const { queueName } = dequeue;
  const partition = limits.partitionKey;
  const queueWide = limits.concurrency !== null || limits.rateLimit !== null;
  // A `sql` fragment: Kysely has no construct for SET.
  await sql`set local lock_timeout = '5s'`.execute(tx.db);
  // A queue-wide limit needs every partition's claims to take turns; partition limits alone
  // only that partition's.
  await advisoryLock.execute(tx, { key: JSON.stringify([queueName, queueWide ? null : partition]) });
  const pending = async (key: string | null) =>
    (await pendingCount.execute(tx, { queueName, partitionKey: key }))[0]?.n ?? 0;
  const started = async (rate: RateLimit, key: string | null) =>
    (await startedCount.execute(tx, { queueName, partitionKey: key, periodMs: rate.periodSec * 1000 }))[0]?.n ?? 0;
  let room = limits.maxClaim;
  if (limits.concurrency !== null) room = Math.min(room, limits.concurrency - (await pending(null)));
  if (limits.partitionConcurrency !== null)
    room = Math.min(room, limits.partitionConcurrency - (await pending(partition)));
  if (limits.rateLimit !== null)
    room = Math.min(room, limits.rateLimit.limit - (await started(limits.rateLimit, null)));
  if (limits.partitionRateLimit !== null)
    room = Math.min(room, limits.partitionRateLimit.limit - (await started(limits.partitionRateLimit, partition)));
  if (room <= 0) return [];
  return dequeueWithToken(tx, { ...dequeue, limit: room }, token);
}

/** Rows of `partitionKey` (the whole queue when null). */
function inPartition(eb: ExpressionBuilder<SystemSchema, "workflow_status">, partitionKey: string | null) {
  const key = eb.cast<string | null>(eb.val(partitionKey), "text");
  return eb.or([eb(key, "is", null), eb("queue_partition_key", "=", key)]);
}

const advisoryLock = new CompiledStatement((db, p: { key: string }) =>
  db.selectNoFrom((eb) =>
    eb
      .fn<void>("pg_advisory_xact_lock", [
        eb.fn("hashtext", [sql.lit("durably.queue")]),
        eb.fn("hashtext", [eb.val(p.key)]),
      ])
      .as("locked"),
  ),
);

/** The queue's (or partition's) PENDING workflows. */
const pendingCount = new CompiledStatement((db, p: { queueName: string; partitionKey: string | null }) =>
  db
    .selectFrom("workflow_status")
    .select((eb) => eb.cast<number>(eb.fn.countAll(), "integer").as("n"))
    .where("queue_name", "=", p.queueName)
    .where("status", "=", statusLiteral("PENDING"))
    .where((eb) => inPartition(eb, p.partitionKey)),
);

/** The queue's (or partition's) rate-limited starts in the last `periodMs`, by the database clock. */
const startedCount = new CompiledStatement(
  (db, p: { queueName: string; partitionKey: string | null; periodMs: number }) =>
    db
      .selectFrom("workflow_status")
      .select((eb) => eb.cast<number>(eb.fn.countAll(), "integer").as("n"))
      .where("queue_name", "=", p.queueName)
      .where((eb) => eb.ref("rate_limited"))
      .where("status", "not in", [statusLiteral("ENQUEUED"), statusLiteral("DELAYED")])
      .where((eb) =>
        eb("started_at_epoch_ms", ">", eb(databaseNow, "-", eb.cast<number>(eb.val(p.periodMs), "float8"))),
      )
      .where((eb) => inPartition(eb, p.partitionKey)),
);
