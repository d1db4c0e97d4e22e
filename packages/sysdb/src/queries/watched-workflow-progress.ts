// The progress of a few named workflows, for a live view that shows them: status, last update and
// their steps (how many, and the newest commit). One statement for all of them, each read through its
// primary key and the steps' (workflow_uuid, function_id) key, so its cost follows the workflows
// watched, never the table's size or the rate of commits elsewhere.
import type { SystemDatabase } from "../system-database.js";
import { textArray } from "./text-array.js";

export interface WorkflowProgress {
  readonly workflowID: string;
  /** Changes whenever the workflow's status row or its steps do. */
  readonly fingerprint: string;
}

/** The progress of each of `workflowIDs` that exists. */
export async function watchedWorkflowProgress(
  sysdb: SystemDatabase,
  workflowIDs: readonly string[],
): Promise<WorkflowProgress[]> {
  if (workflowIDs.length === 0) return [];
  const rows = await sysdb.db
    .selectFrom("workflow_status as w")
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom("operation_outputs as o")
          .select((o) => [o.fn.countAll<string>().as("steps"), o.fn.max("o.completed_at_epoch_ms").as("last_step_at")])
          .whereRef("o.workflow_uuid", "=", "w.workflow_uuid")
          .as("s"),
      (join) => join.onTrue(),
    )
    .select(["w.workflow_uuid", "w.status", "w.updated_at", "w.recovery_attempts", "s.steps", "s.last_step_at"])
    .where((eb) => eb("w.workflow_uuid", "=", eb.fn.any(textArray(workflowIDs))))
    .execute();
  return rows.map((r) => ({
    workflowID: r.workflow_uuid,
    fingerprint: `${r.status}|${r.updated_at}|${r.recovery_attempts}|${r.steps}|${r.last_step_at}`,
  }));
}
