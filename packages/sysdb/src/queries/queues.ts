// Queue definitions (dbos.queues), owned by one application: flow-control settings every
// worker and DBOS's tools can see.
import type { ExpressionBuilder, Selectable } from "kysely";
import type { Queryable } from "../queryable.js";
import type { QueuesTable, SystemSchema } from "../tables.js";

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
export async function upsertQueue(
  on: Queryable,
  q: QueueSettings,
  applicationName: string,
  now: number,
): Promise<boolean> {
  const rows = await on.db
    .insertInto("queues")
    .values({
      name: q.name,
      concurrency: q.concurrency,
      worker_concurrency: q.workerConcurrency,
      rate_limit_max: q.rateLimitMax,
      rate_limit_period_sec: q.rateLimitPeriodSec,
      priority_enabled: q.priorityEnabled,
      partition_queue: q.partitionQueue,
      partition_concurrency: q.partitionConcurrency,
      partition_worker_concurrency: q.partitionWorkerConcurrency,
      partition_rate_limit_max: q.partitionRateLimitMax,
      partition_rate_limit_period_sec: q.partitionRateLimitPeriodSec,
      polling_interval_sec: q.pollingIntervalSec,
      application_name: applicationName,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .column("name")
        .doUpdateSet((eb) => ({
          concurrency: eb.ref("excluded.concurrency"),
          worker_concurrency: eb.ref("excluded.worker_concurrency"),
          rate_limit_max: eb.ref("excluded.rate_limit_max"),
          rate_limit_period_sec: eb.ref("excluded.rate_limit_period_sec"),
          priority_enabled: eb.ref("excluded.priority_enabled"),
          partition_queue: eb.ref("excluded.partition_queue"),
          partition_concurrency: eb.ref("excluded.partition_concurrency"),
          partition_worker_concurrency: eb.ref("excluded.partition_worker_concurrency"),
          partition_rate_limit_max: eb.ref("excluded.partition_rate_limit_max"),
          partition_rate_limit_period_sec: eb.ref("excluded.partition_rate_limit_period_sec"),
          polling_interval_sec: eb.ref("excluded.polling_interval_sec"),
          updated_at: eb.ref("excluded.updated_at"),
          application_name: eb.fn.coalesce("queues.application_name", "excluded.application_name"),
        }))
        .where((eb) =>
          eb.or([eb("queues.application_name", "=", applicationName), eb("queues.application_name", "is", null)]),
        ),
    )
    .returning("name")
    .execute();
  return rows.length === 1;
}

/** Own plus unclaimed rows of `applicationName`; undefined sees every application's. */
function ofApplication(eb: ExpressionBuilder<SystemSchema, "queues">, applicationName: string | undefined) {
  return applicationName === undefined
    ? eb.lit(true)
    : eb.or([eb("application_name", "=", applicationName), eb("application_name", "is", null)]);
}

/** The queues of an application (and unclaimed ones), by name. */
export async function listQueueRecords(on: Queryable, applicationName?: string): Promise<QueueRecord[]> {
  const rows = await on.db
    .selectFrom("queues")
    .selectAll()
    .where((eb) => ofApplication(eb, applicationName))
    .orderBy("name")
    .execute();
  return rows.map(toQueueRecord);
}

/** One queue by name, whoever owns it. */
export async function getQueueRecord(on: Queryable, name: string): Promise<QueueRecord | undefined> {
  const row = await on.db.selectFrom("queues").selectAll().where("name", "=", name).executeTakeFirst();
  return row === undefined ? undefined : toQueueRecord(row);
}

/** Deletes a queue definition of this application; its enqueued workflows stay, visible in listings. */
export async function deleteQueueRecord(
  on: Queryable,
  name: string,
  applicationName: string | undefined,
): Promise<boolean> {
  const rows = await on.db
    .deleteFrom("queues")
    .where("name", "=", name)
    .where((eb) => ofApplication(eb, applicationName))
    .returning("name")
    .execute();
  return rows.length === 1;
}

function toQueueRecord(r: Selectable<QueuesTable>): QueueRecord {
  return {
    name: r.name,
    concurrency: r.concurrency,
    workerConcurrency: r.worker_concurrency,
    rateLimitMax: r.rate_limit_max,
    rateLimitPeriodSec: r.rate_limit_period_sec,
    priorityEnabled: r.priority_enabled,
    partitionQueue:
      r.partition_queue ||
      r.partition_concurrency !== null ||
      r.partition_worker_concurrency !== null ||
      r.partition_rate_limit_max !== null,
    partitionConcurrency: r.partition_concurrency,
    partitionWorkerConcurrency: r.partition_worker_concurrency,
    partitionRateLimitMax: r.partition_rate_limit_max,
    partitionRateLimitPeriodSec: r.partition_rate_limit_period_sec,
    pollingIntervalSec: r.polling_interval_sec,
    applicationName: r.application_name,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
