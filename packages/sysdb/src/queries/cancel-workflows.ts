// Cancelling workflows: one statement that marks them CANCELLED and wakes their runners.
import { sql } from "kysely";
import type { Queryable } from "../queryable.js";
import { statusLiteral } from "./workflow-status-name.js";
import { cancelChannel } from "./channels.js";
import { textArray } from "./text-array.js";
import { reportWorkflowChanges } from "./report-workflow-changes.js";
import type { WorkflowChangeRecord } from "./workflow-change-record.js";

/**
 * Sets CANCELLED on every listed workflow not already SUCCESS, ERROR or CANCELLED, clearing its
 * queue, deduplication ID and start time. Returns, for each ID that exists, whether this call
 * changed it and its status before.
 */
export async function cancelWorkflows(
  on: Queryable,
  workflowIDs: readonly string[],
  now: number,
): Promise<Map<string, WorkflowChangeRecord>> {
  const changes = on.db
    .with("upd", (db) =>
      db
        .updateTable("workflow_status")
        .set({
          status: statusLiteral("CANCELLED"),
          updated_at: now,
          completed_at: now,
          started_at_epoch_ms: sql.lit(null),
          queue_name: sql.lit(null),
          deduplication_id: sql.lit(null),
        })
        .where((eb) => eb("workflow_uuid", "=", eb.fn.any(textArray(workflowIDs))))
        .where("status", "not in", [statusLiteral("SUCCESS"), statusLiteral("ERROR"), statusLiteral("CANCELLED")])
        .returning("workflow_uuid"),
    )
    .with("woken", (db) =>
      db.selectFrom("upd").select((eb) => eb.fn("pg_notify", [eb.val(cancelChannel), "workflow_uuid"]).as("n")),
    );
  return reportWorkflowChanges(changes, workflowIDs);
}
