// A queue's flow-control settings, validated into the shape stored in dbos.queues.
import { checkOptions, DurablyError, maxInt4, type OptionRules } from "@durably/sysdb";
import type { QueueSettings } from "@durably/sysdb/queries";

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
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a queue name may not hold control characters.
  if (typeof name !== "string" || name.length === 0 || name.length > 255 || /[\u0000-\u001f]/.test(name)) {
    throw new DurablyError(
      "INVALID_NAME",
      `Invalid queue name ${JSON.stringify(name)}: use 1-255 printable characters, e.g. "emails".`,
    );
  }
  if (name.startsWith(reservedPrefix)) {
    throw new DurablyError(
      "INVALID_NAME",
      `Queue names starting with ${reservedPrefix} are reserved for DBOS's internal queues; choose another ` +
        `name than ${name}.`,
    );
  }
  return name;
}

const count = { type: "number", integer: true, min: 1, max: maxInt4 } as const;

/** What each option must be; DBOS's spellings (e.g. rateLimit.limitPerPeriod) are unknown keys here. */
const queueOptionRules: OptionRules = {
  concurrency: count,
  workerConcurrency: count,
  rateLimit: {
    type: "object",
    keys: { limit: { ...count, required: true }, periodSec: { type: "number", required: true, above: 0 } },
  },
  priorityEnabled: { type: "boolean" },
  partitionQueue: { type: "boolean" },
  pollingIntervalSec: { type: "number", above: 0 },
};

/** Validates options for queue `name`; each problem is an INVALID_ARGUMENT naming the option. */
export function toQueueSettings(name: string, options: QueueOptions): QueueSettings {
  checkOptions(`registerQueue(${JSON.stringify(name)})`, options, queueOptionRules);
  const rate = options.rateLimit;
  const limits = {
    concurrency: options.concurrency ?? null,
    workerConcurrency: options.workerConcurrency ?? null,
    rateLimitMax: rate?.limit ?? null,
    rateLimitPeriodSec: rate?.periodSec ?? null,
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
    pollingIntervalSec: options.pollingIntervalSec ?? 1,
  };
}
