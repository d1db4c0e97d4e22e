// The public view of a queue definition, and the calls that read and delete them.
import { checkArgument, DurablyError } from "@durably/sysdb";
import {
  deleteQueueRecord,
  getQueueRecord,
  listQueuePauses,
  listQueueRecords,
  type QueuePause,
  type QueueRecord,
} from "@durably/sysdb/queries";
import type { DBOSContext } from "@durably/core";
import { extensionHost } from "@durably/core/extension";

/**
 * A queue definition. `concurrency`, `workerConcurrency` and `rateLimit` are queue-wide (across
 * all partitions); the `partition…` limits apply to each partition key. A queue registered with
 * `partitionQueue: true` reports its limits as partition limits; a DBOS queue may set both.
 */
export interface QueueInfo {
  readonly name: string;
  readonly concurrency: number | undefined;
  readonly workerConcurrency: number | undefined;
  readonly rateLimit: { readonly limit: number; readonly periodSec: number } | undefined;
  readonly priorityEnabled: boolean;
  readonly partitionQueue: boolean;
  readonly partitionConcurrency: number | undefined;
  readonly partitionWorkerConcurrency: number | undefined;
  readonly partitionRateLimit: { readonly limit: number; readonly periodSec: number } | undefined;
  readonly pollingIntervalSec: number;
  readonly applicationName: string | undefined;
  /** Set while the queue is paused (pauseQueue): when, and the reason given. */
  readonly paused: { readonly pausedAt: Date; readonly reason: string | undefined } | undefined;
}

/** The queues of this application (and unclaimed ones). */
export async function listQueues(ctx: DBOSContext): Promise<QueueInfo[]> {
  extensionHost(ctx).assertRunning("list queues");
  const sysdb = extensionHost(ctx).sysdb;
  const [records, pauses] = await Promise.all([
    listQueueRecords(sysdb, extensionHost(ctx).applicationScope),
    listQueuePauses(sysdb),
  ]);
  return records.map((r) => toQueueInfo(r, pauses));
}

/** One queue by name; QUEUE_NOT_FOUND if no such queue is defined. */
export async function retrieveQueue(ctx: DBOSContext, name: string): Promise<QueueInfo> {
  checkArgument("retrieveQueue", "name", name, { type: "string", nonEmpty: true });
  extensionHost(ctx).assertRunning("retrieve a queue");
  const record = await getQueueRecord(extensionHost(ctx).sysdb, name);
  if (record === undefined) throw notFound(name);
  return toQueueInfo(record, await listQueuePauses(extensionHost(ctx).sysdb));
}

/**
 * Deletes this application's definition of a queue. Workflows already enqueued on it stay
 * ENQUEUED (visible in listings) until the queue is registered again.
 */
export async function deleteQueue(ctx: DBOSContext, name: string): Promise<void> {
  checkArgument("deleteQueue", "name", name, { type: "string", nonEmpty: true });
  extensionHost(ctx).assertRunning("delete a queue");
  if (!(await deleteQueueRecord(extensionHost(ctx).sysdb, name, extensionHost(ctx).applicationScope)))
    throw notFound(name);
}

function notFound(name: string): DurablyError {
  return new DurablyError(
    "QUEUE_NOT_FOUND",
    `There is no queue named ${name} for this application. Register it with registerQueue.`,
  );
}

function toQueueInfo(r: QueueRecord, pauses: readonly QueuePause[]): QueueInfo {
  const pause = pauses.find((p) => p.queueName === r.name);
  return Object.freeze({
    name: r.name,
    concurrency: r.concurrency ?? undefined,
    workerConcurrency: r.workerConcurrency ?? undefined,
    rateLimit: r.rateLimitMax === null ? undefined : { limit: r.rateLimitMax, periodSec: r.rateLimitPeriodSec ?? 1 },
    priorityEnabled: r.priorityEnabled,
    partitionQueue: r.partitionQueue,
    partitionConcurrency: r.partitionConcurrency ?? undefined,
    partitionWorkerConcurrency: r.partitionWorkerConcurrency ?? undefined,
    partitionRateLimit:
      r.partitionRateLimitMax === null
        ? undefined
        : { limit: r.partitionRateLimitMax, periodSec: r.partitionRateLimitPeriodSec ?? 1 },
    pollingIntervalSec: r.pollingIntervalSec,
    applicationName: r.applicationName ?? undefined,
    paused: pause === undefined ? undefined : { pausedAt: new Date(pause.pausedAt), reason: pause.reason ?? undefined },
  });
}
