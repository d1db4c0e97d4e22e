// Per-queue numbers for a dashboard: depth by status, the oldest waiting item, and how long the
// last hour's workflows waited between enqueue and start (p50, p99).
import { sql } from "kysely";
import type { SystemDatabase } from "../system-database.js";

export interface QueueStatsRecord {
  readonly queueName: string;
  readonly enqueued: number;
  readonly pending: number;
  readonly delayed: number;
  /** created_at of the oldest ENQUEUED workflow, epoch ms; null when none waits. */
  readonly oldestEnqueuedAt: number | null;
  /** Enqueue-to-start wait of workflows started in the window, in ms; null when none started. */
  readonly waitP50Ms: number | null;
  readonly waitP99Ms: number | null;
  readonly startedInWindow: number;
}

/**
 * Stats of every queue holding waiting or running work, or that started work since `sinceMs`.
 * The depth reads the in-flight partial index; the waits read the started_at index.
 */
export async function queueStats(
  sysdb: SystemDatabase,
  sinceMs: number,
  applicationName?: string,
): Promise<QueueStatsRecord[]> {
  const db = sysdb.db;
  let depth = db
    .selectFrom("workflow_status")
    .select((eb) => [
      "queue_name",
      eb.fn.countAll<string>().filterWhere("status", "=", "ENQUEUED").as("enqueued"),
      eb.fn.countAll<string>().filterWhere("status", "=", "PENDING").as("pending"),
      eb.fn.countAll<string>().filterWhere("status", "=", "DELAYED").as("delayed"),
      eb.fn.min("created_at").filterWhere("status", "=", "ENQUEUED").as("oldest"),
    ])
    .where("queue_name", "is not", null)
    .where("status", "in", ["ENQUEUED", "PENDING", "DELAYED"])
    .groupBy("queue_name");
  let waits = db
    .selectFrom("workflow_status")
    .select((eb) => [
      "queue_name",
      eb.fn.countAll<string>().as("started"),
      sql<string | null>`percentile_cont(0.5) within group (order by started_at_epoch_ms - created_at)`.as("p50"),
      sql<string | null>`percentile_cont(0.99) within group (order by started_at_epoch_ms - created_at)`.as("p99"),
    ])
    .where("queue_name", "is not", null)
    .where("started_at_epoch_ms", ">=", sinceMs)
    .groupBy("queue_name");
  if (applicationName !== undefined) {
    depth = depth.where((eb) =>
      eb.or([eb("application_name", "=", applicationName), eb("application_name", "is", null)]),
    );
    waits = waits.where((eb) =>
      eb.or([eb("application_name", "=", applicationName), eb("application_name", "is", null)]),
    );
  }
  const [depthRows, waitRows] = await Promise.all([depth.execute(), waits.execute()]);
  const byName = new Map<string, QueueStatsRecord>();
  const empty = (queueName: string): QueueStatsRecord => ({
    queueName,
    enqueued: 0,
    pending: 0,
    delayed: 0,
    oldestEnqueuedAt: null,
    waitP50Ms: null,
    waitP99Ms: null,
    startedInWindow: 0,
  });
  for (const r of depthRows) {
    const name = r.queue_name!;
    byName.set(name, {
      ...empty(name),
      enqueued: Number(r.enqueued),
      pending: Number(r.pending),
      delayed: Number(r.delayed),
      oldestEnqueuedAt: r.oldest === null ? null : Number(r.oldest),
    });
  }
  for (const r of waitRows) {
    const name = r.queue_name!;
    byName.set(name, {
      ...(byName.get(name) ?? empty(name)),
      startedInWindow: Number(r.started),
      waitP50Ms: r.p50 === null ? null : Math.round(Number(r.p50)),
      waitP99Ms: r.p99 === null ? null : Math.round(Number(r.p99)),
    });
  }
  return [...byName.values()].sort((a, b) => a.queueName.localeCompare(b.queueName));
}
