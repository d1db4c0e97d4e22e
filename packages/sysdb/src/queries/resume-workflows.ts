// Resuming workflows: back to ENQUEUED on a queue with a fresh attempt count and timeout clock.
import { sql } from "kysely";
import type { Queryable } from "../queryable.js";
import { enqueuedChannel } from "./channels.js";
import { internalQueueName } from "./workflow-record.js";
import { statusLiteral } from "./workflow-status-name.js";
import { textArray } from "./text-array.js";
import { reportWorkflowChanges } from "./report-workflow-changes.js";
import type { WorkflowChangeRecord } from "./workflow-change-record.js";

/**
 * Puts every listed workflow that is not SUCCESS or ERROR back to ENQUEUED on `queueName`
 * (default the internal queue), resetting attempts, deadline, deduplication and times.
 * Returns, for each ID that exists, whether this call changed it and its status before.
 */
export async function resumeWorkflows(
  on: Queryable,
  workflowIDs: readonly string[],
  now: number,
  queueName: string = internalQueueName,
): Promise<Map<string, WorkflowChangeRecord>> {
  const changes = on.db
    .with("upd", (db) =>
      db
        .updateTable("workflow_status")
        .set({
          status: statusLiteral("ENQUEUED"),
          queue_name: queueName,
          recovery_attempts: sql.lit(0),
          workflow_deadline_epoch_ms: sql.lit(null),
          deduplication_id: sql.lit(null),
          started_at_epoch_ms: sql.lit(null),
          completed_at: sql.lit(null),
          updated_at: now,
        })
        .where((eb) => eb("workflow_uuid", "=", eb.fn.any(textArray(workflowIDs))))
        .where("status", "not in", [statusLiteral("SUCCESS"), statusLiteral("ERROR")])
        .returning("workflow_uuid"),
    )
    .with("woken", (db) =>
      db
        .selectFrom((db) => db.selectFrom("upd").select(sql.lit(1).as("one")).limit(sql.lit(1)).as("x"))
        .select((eb) => eb.fn("pg_notify", [eb.val(enqueuedChannel), eb.val(queueName)]).as("n")),
    );
  return reportWorkflowChanges(changes, workflowIDs);
}
