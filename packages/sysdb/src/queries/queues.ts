// Queue definitions (dbos.queues), owned by one application: flow-control settings every
// worker and DBOS's tools can see.
import type { SystemDatabase } from "../system-database.js";

/**
 * A queue definition. The plain limits are queue-wide (across every partition); the partition
 * ones apply to each partition key, as in DBOS 5.3.0, which reads a queue as partitioned when any
 * partition limit is set.
 */
export interface QueueRecord {
  readonly name: string;
  readonly concurrency: number | null;
  readonly workerConcurrency: number | null;
  readonly rateLimitMax: number | null;
  readonly rateLimitPeriodSec: number | null;
  readonly priorityEnabled: boolean;
  /** True when the partition_queue column says so or any partition limit is set. */
  readonly partitionQueue: boolean;
  readonly partitionConcurrency: number | null;
  readonly partitionWorkerConcurrency: number | null;
  readonly partitionRateLimitMax: number | null;
  readonly partitionRateLimitPeriodSec: number | null;
  readonly pollingIntervalSec: number;
  readonly applicationName: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type QueueSettings = Omit<QueueRecord, "applicationName" | "createdAt" | "updatedAt">;

/**
 * Creates or updates a queue owned by `applicationName`. Returns false, changing nothing, when
 * another application owns a queue of that name.
 */
export async function upsertQueue(sysdb: SystemDatabase, q: QueueSettings, applicationName: string, now: number): Promise<boolean> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const rows = await sql`
    insert into ${s}.queues as q (name, concurrency, worker_concurrency, rate_limit_max, rate_limit_period_sec,
      priority_enabled, partition_queue, partition_concurrency, partition_worker_concurrency, partition_rate_limit_max,
      partition_rate_limit_period_sec, polling_interval_sec, application_name, created_at, updated_at)
    values (${q.name}, ${q.concurrency}, ${q.workerConcurrency}, ${q.rateLimitMax}, ${q.rateLimitPeriodSec},
      ${q.priorityEnabled}, ${q.partitionQueue}, ${q.partitionConcurrency}, ${q.partitionWorkerConcurrency},
      ${q.partitionRateLimitMax}, ${q.partitionRateLimitPeriodSec}, ${q.pollingIntervalSec}, ${applicationName}, ${now}, ${now})
    on conflict (name) do update set
      concurrency = excluded.concurrency, worker_concurrency = excluded.worker_concurrency,
      rate_limit_max = excluded.rate_limit_max, rate_limit_period_sec = excluded.rate_limit_period_sec,
      priority_enabled = excluded.priority_enabled, partition_queue = excluded.partition_queue,
      partition_concurrency = excluded.partition_concurrency, partition_worker_concurrency = excluded.partition_worker_concurrency,
      partition_rate_limit_max = excluded.partition_rate_limit_max, partition_rate_limit_period_sec = excluded.partition_rate_limit_period_sec,
      polling_interval_sec = excluded.polling_interval_sec, updated_at = excluded.updated_at,
      application_name = coalesce(q.application_name, excluded.application_name)
    where q.application_name = ${applicationName} or q.application_name is null
    returning name`;
  return rows.length === 1;
}

/** The queues of an application (and unclaimed ones), by name. */
export async function listQueueRecords(sysdb: SystemDatabase, applicationName?: string): Promise<QueueRecord[]> {
  const { sql } = sysdb;
  const rows = await sql`
    select * from ${sql(sysdb.schema)}.queues
    where ${applicationName ?? null}::text is null or application_name = ${applicationName ?? null}::text or application_name is null
    order by name`;
  return rows.map(toQueueRecord);
}

/** One queue by name, whoever owns it. */
export async function getQueueRecord(sysdb: SystemDatabase, name: string): Promise<QueueRecord | undefined> {
  const { sql } = sysdb;
  const [row] = await sql`select * from ${sql(sysdb.schema)}.queues where name = ${name}`;
  return row === undefined ? undefined : toQueueRecord(row);
}

/** Deletes a queue definition of this application; its enqueued workflows stay, visible in listings. */
export async function deleteQueueRecord(sysdb: SystemDatabase, name: string, applicationName: string | undefined): Promise<boolean> {
  const { sql } = sysdb;
  const app = applicationName ?? null;
  const rows = await sql`
    delete from ${sql(sysdb.schema)}.queues
    where name = ${name} and (${app}::text is null or application_name = ${app}::text or application_name is null)
    returning name`;
  return rows.length === 1;
}

function toQueueRecord(r: Record<string, unknown>): QueueRecord {
  const partitionConcurrency = (r.partition_concurrency as number | null) ?? null;
  const partitionWorkerConcurrency = (r.partition_worker_concurrency as number | null) ?? null;
  const partitionRateLimitMax = (r.partition_rate_limit_max as number | null) ?? null;
  return {
    name: r.name as string,
    concurrency: (r.concurrency as number | null) ?? null,
    workerConcurrency: (r.worker_concurrency as number | null) ?? null,
    rateLimitMax: (r.rate_limit_max as number | null) ?? null,
    rateLimitPeriodSec: (r.rate_limit_period_sec as number | null) ?? null,
    priorityEnabled: Boolean(r.priority_enabled),
    partitionQueue: Boolean(r.partition_queue) || partitionConcurrency !== null || partitionWorkerConcurrency !== null || partitionRateLimitMax !== null,
    partitionConcurrency,
    partitionWorkerConcurrency,
    partitionRateLimitMax,
    partitionRateLimitPeriodSec: (r.partition_rate_limit_period_sec as number | null) ?? null,
    pollingIntervalSec: Number(r.polling_interval_sec),
    applicationName: (r.application_name as string | null) ?? null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
