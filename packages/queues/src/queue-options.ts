// A queue's flow-control settings, validated into the shape stored in dbos.queues.
import { DurablyError, type QueueSettings } from "@durably/sysdb";

export interface QueueOptions {
  /** Most workflows of this queue running at once across all workers. Default: unlimited. */
  readonly concurrency?: number;
  /** Most workflows of this queue running at once in one process. Default: unlimited (batches of 100). */
  readonly workerConcurrency?: number;
  /** At most `limit` starts in any `periodSec` window, across all workers, by the database clock. */
  readonly rateLimit?: { readonly limit: number; readonly periodSec: number };
  /** Recorded for DBOS's tools; durably always runs lower priority numbers first. Default false. */
  readonly priorityEnabled?: boolean;
  /**
   * Apply the limits per partition key (each enqueue then needs a partitionKey). Default false.
   * They are stored as DBOS's per-partition limits (partition_concurrency, …), which is how DBOS
   * 5.3.0 reads a partitioned queue.
   */
  readonly partitionQueue?: boolean;
  /** How often an idle worker looks for work when no notification arrives. Default 1 s. */
  readonly pollingIntervalSec?: number;
}

const reservedPrefix = "_dbos_";

/** Checks a queue name: 1-255 characters, no control characters, not DBOS's reserved prefix. */
export function validateQueueName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0 || name.length > 255 || /[\u0000-\u001f]/.test(name)) {
    throw new DurablyError("INVALID_NAME", `Invalid queue name ${JSON.stringify(name)}: use 1-255 printable characters, e.g. "emails".`);
  }
  if (name.startsWith(reservedPrefix)) {
    throw new DurablyError("INVALID_NAME", `Queue names starting with ${reservedPrefix} are reserved for DBOS's internal queues; choose another name than ${name}.`);
  }
  return name;
}

/** Validates options for queue `name`; each problem is an INVALID_ARGUMENT naming the option. */
export function toQueueSettings(name: string, options: QueueOptions): QueueSettings {
  const count = (key: string, value: unknown) => {
    if (value === undefined) return null;
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 2 ** 31 - 1) {
      throw new DurablyError("INVALID_ARGUMENT", `Queue ${name}: ${key} must be a positive integer, got ${String(value)}.`);
    }
    return value as number;
  };
  const rate = options.rateLimit;
  if (rate !== undefined && (typeof rate !== "object" || rate === null || !(Number.isFinite(rate.periodSec) && rate.periodSec > 0))) {
    throw new DurablyError("INVALID_ARGUMENT", `Queue ${name}: rateLimit needs { limit, periodSec } with periodSec > 0.`);
  }
  const polling = options.pollingIntervalSec ?? 1;
  if (!Number.isFinite(polling) || polling <= 0) {
    throw new DurablyError("INVALID_ARGUMENT", `Queue ${name}: pollingIntervalSec must be a positive number of seconds.`);
  }
  const limits = {
    concurrency: count("concurrency", options.concurrency),
    workerConcurrency: count("workerConcurrency", options.workerConcurrency),
    rateLimitMax: rate === undefined ? null : count("rateLimit.limit", rate.limit),
    rateLimitPeriodSec: rate === undefined ? null : rate.periodSec,
  };
  const partitioned = options.partitionQueue ?? false;
  const none = { concurrency: null, workerConcurrency: null, rateLimitMax: null, rateLimitPeriodSec: null };
  const queueWide = partitioned ? none : limits;
  const perPartition = partitioned ? limits : none;
  return {
    name,
    ...queueWide,
    priorityEnabled: options.priorityEnabled ?? false,
    partitionQueue: partitioned,
    partitionConcurrency: perPartition.concurrency,
    partitionWorkerConcurrency: perPartition.workerConcurrency,
    partitionRateLimitMax: perPartition.rateLimitMax,
    partitionRateLimitPeriodSec: perPartition.rateLimitPeriodSec,
    pollingIntervalSec: polling,
  };
}
