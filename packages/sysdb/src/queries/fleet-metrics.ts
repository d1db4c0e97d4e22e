// What the system database tells about the whole fleet, for `durably metrics`: workflows by status
// and name, enqueue-to-start latency per queue and live executors over a recent window, and
// in-flight workflows that were recovered. Each query walks an index over a bounded range.
import { expressionBuilder, sql } from "kysely";
import type { Queryable } from "../queryable.js";
import type { SystemSchema } from "../tables.js";

export interface WorkflowCount {
  readonly status: string;
  readonly name: string;
  readonly count: number;
}

export interface QueueLatency {
  readonly queueName: string;
  /** Queued workflows whose run started in the window. */
  readonly count: number;
  readonly avgMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export interface LiveExecutors {
  readonly applicationName: string;
  readonly applicationVersion: string;
  readonly count: number;
}

const eb = expressionBuilder<SystemSchema, "workflow_status">();

/** Workflows created at or after `since` (epoch ms), by their status now and name (workflow_status_created_at_index). */
export async function countRecentWorkflows(
  on: Queryable,
  since: number,
  applicationName?: string,
): Promise<WorkflowCount[]> {
  let query = on.db
    .selectFrom("workflow_status")
    .select((e) => ["status", "name", e.fn.countAll<string>().as("count")])
    .where("created_at", ">=", since)
    .groupBy(["status", "name"]);
  if (applicationName !== undefined) query = query.where(inApplication(applicationName));
  const rows = await query.execute();
  return rows.map((r) => ({ status: r.status ?? "", name: r.name ?? "", count: Number(r.count) }));
}

/**
 * Enqueue-to-start latency (started_at_epoch_ms - created_at) of the queued workflows whose run
 * started at or after `since`, per queue (idx_workflow_status_started_at).
 */
export async function queueLatencies(on: Queryable, since: number, applicationName?: string): Promise<QueueLatency[]> {
  const latency = eb("started_at_epoch_ms", "-", eb.ref("created_at"));
  let query = on.db
    .selectFrom("workflow_status")
    .select((e) => [
      "queue_name",
      e.fn.countAll<string>().as("count"),
      e.fn.avg<string>(latency).as("avg_ms"),
      e.fn.max(latency).as("max_ms"),
      // Kysely has no ordered-set aggregate.
      sql<string>`percentile_cont(0.95) within group (order by ${latency})`.as("p95_ms"),
    ])
    .where("started_at_epoch_ms", ">=", since)
    .where("queue_name", "is not", null)
    .groupBy("queue_name");
  if (applicationName !== undefined) query = query.where(inApplication(applicationName));
  const rows = await query.execute();
  return rows.map((r) => ({
    queueName: r.queue_name!,
    count: Number(r.count),
    avgMs: Number(r.avg_ms),
    p95Ms: Number(r.p95_ms),
    maxMs: Number(r.max_ms),
  }));
}

/** Executors whose lease is live now (not ended, renewed within its lapse), by application and version. */
export async function countLiveExecutors(on: Queryable, applicationName?: string): Promise<LiveExecutors[]> {
  let query = on.db
    .selectFrom("durably_executor_leases")
    .select((e) => [
      "application_name",
      "application_version",
      e.fn.count<string>("executor_id").distinct().as("count"),
    ])
    .where("ended_at", "is", null)
    .where((e) =>
      e(
        e("renewed_at", "+", e(e.ref("lapse_ms"), "*", sql<number>`interval '1 millisecond'`).$castTo<Date>()),
        ">=",
        e.fn<Date>("clock_timestamp"),
      ),
    )
    .groupBy(["application_name", "application_version"]);
  if (applicationName !== undefined) query = query.where("application_name", "=", applicationName);
  const rows = await query.execute();
  return rows.map((r) => ({
    applicationName: r.application_name,
    applicationVersion: r.application_version,
    count: Number(r.count),
  }));
}

/**
 * PENDING workflows that were recovered or adopted at least once (recovery_attempts above 1), by
 * name (idx_workflow_status_pending): the only record of recoveries the tables keep.
 */
export async function countRecoveredWorkflows(
  on: Queryable,
  applicationName?: string,
): Promise<{ name: string; count: number }[]> {
  let query = on.db
    .selectFrom("workflow_status")
    .select((e) => ["name", e.fn.countAll<string>().as("count")])
    .where("status", "=", "PENDING")
    .where("recovery_attempts", ">", 1)
    .groupBy("name");
  if (applicationName !== undefined) query = query.where(inApplication(applicationName));
  const rows = await query.execute();
  return rows.map((r) => ({ name: r.name ?? "", count: Number(r.count) }));
}

function inApplication(applicationName: string) {
  return eb.or([eb("application_name", "=", applicationName), eb("application_name", "is", null)]);
}
