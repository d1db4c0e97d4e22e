// What changed since a moment, for a live view: workflows created, started or finished and steps
// committed. Each of its four selects reads an index on its time column, so a probe costs the same on
// any table size.
import { sql } from "kysely";
import type { SystemDatabase } from "../system-database.js";

export interface WorkflowChange {
  readonly workflowID: string;
  /** What changed: `created`, `started`, `completed`, or `step:<function_id>`. */
  readonly what: string;
  /** When, in epoch ms, by the clock of whoever wrote it. */
  readonly at: number;
}

/**
 * Changes at or after `sinceMs`, at most `limit` of each kind, and the database's clock now. With
 * `steps: false` it leaves out step commits (a view of workflows, not of their steps).
 */
export async function recentWorkflowChanges(
  sysdb: SystemDatabase,
  sinceMs: number,
  limit: number,
  options: { readonly steps?: boolean } = {},
): Promise<{ readonly changes: WorkflowChange[]; readonly nowMs: number }> {
  const db = sysdb.db;
  const created = db
    .selectFrom("workflow_status")
    .select(["workflow_uuid", sql<string>`'created'`.as("what"), "created_at as at"])
    .where("created_at", ">=", sinceMs)
    .orderBy("created_at")
    .limit(limit);
  const started = db
    .selectFrom("workflow_status")
    .select(["workflow_uuid", sql<string>`'started'`.as("what"), "started_at_epoch_ms as at"])
    .where("started_at_epoch_ms", ">=", sinceMs)
    .orderBy("started_at_epoch_ms")
    .limit(limit);
  const completed = db
    .selectFrom("workflow_status")
    .select(["workflow_uuid", sql<string>`'completed'`.as("what"), "completed_at as at"])
    .where("completed_at", ">=", sinceMs)
    .orderBy("completed_at")
    .limit(limit);
  const steps = db
    .selectFrom("operation_outputs")
    .select(["workflow_uuid", sql<string>`'step:' || function_id`.as("what"), "completed_at_epoch_ms as at"])
    .where("completed_at_epoch_ms", ">=", sinceMs)
    .orderBy("completed_at_epoch_ms")
    .limit(limit);
  const [parts, now] = await Promise.all([
    Promise.all([
      created.execute(),
      started.execute(),
      completed.execute(),
      (options.steps ?? true) ? steps.execute() : Promise.resolve([]),
    ]),
    db
      .selectNoFrom(sql<string>`(extract(epoch from clock_timestamp()) * 1000)::int8`.as("now"))
      .executeTakeFirstOrThrow(),
  ]);
  const rows = parts.flat();
  return {
    changes: rows.map((r) => ({ workflowID: r.workflow_uuid, what: r.what, at: Number(r.at) })),
    nowMs: Number(now.now),
  };
}
