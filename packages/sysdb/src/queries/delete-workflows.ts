// Retention: deleting finished workflows and everything that belongs to them, a batch at a time
// so no statement holds many locks for long.
import { sql } from "kysely";
import type { Queryable } from "../queryable.js";
import { statusLiteral } from "./workflow-status-name.js";

/**
 * Deletes up to `batchSize` workflows that finished (SUCCESS, ERROR, CANCELLED,
 * MAX_RECOVERY_ATTEMPTS_EXCEEDED) before `cutoffEpochMs`, with their inputs, outputs and
 * checkpoints (messages, events and streams go by foreign-key cascade). Rows other workers are
 * touching are skipped. Returns how many workflows were deleted.
 */
export async function deleteFinishedWorkflows(
  on: Queryable,
  cutoffEpochMs: number,
  batchSize: number,
  applicationName: string | undefined,
): Promise<number> {
  const row = await on.db
    .with("doomed", (db) =>
      db
        .selectFrom("workflow_status")
        .select("workflow_uuid")
        .where("status", "in", [
          statusLiteral("SUCCESS"),
          statusLiteral("ERROR"),
          statusLiteral("CANCELLED"),
          statusLiteral("MAX_RECOVERY_ATTEMPTS_EXCEEDED"),
        ])
        .where((eb) => eb(eb.fn.coalesce("completed_at", "updated_at"), "<", cutoffEpochMs))
        .$if(applicationName !== undefined, (q) =>
          q.where((eb) => eb.or([eb("application_name", "=", applicationName!), eb("application_name", "is", null)])),
        )
        .limit(batchSize)
        .forUpdate()
        .skipLocked(),
    )
    .with("steps", (db) =>
      db.deleteFrom("operation_outputs as o").using("doomed as d").whereRef("o.workflow_uuid", "=", "d.workflow_uuid"),
    )
    .with("inputs", (db) =>
      db.deleteFrom("workflow_input as i").using("doomed as d").whereRef("i.workflow_uuid", "=", "d.workflow_uuid"),
    )
    .with("outputs", (db) =>
      db.deleteFrom("workflow_output as o").using("doomed as d").whereRef("o.workflow_uuid", "=", "d.workflow_uuid"),
    )
    .with("statuses", (db) =>
      db
        .deleteFrom("workflow_status as w")
        .using("doomed as d")
        .whereRef("w.workflow_uuid", "=", "d.workflow_uuid")
        .returning(sql.lit(1).as("one")),
    )
    .selectFrom("statuses")
    .select((eb) => eb.fn.countAll<number>().as("deleted"))
    .executeTakeFirst();
  return row?.deleted ?? 0;
}
