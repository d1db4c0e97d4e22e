// DELAYED workflows become ENQUEUED when their time comes, by the database clock.
import { sql, type ExpressionBuilder } from "kysely";
import type { Queryable } from "../queryable.js";
import type { SystemSchema } from "../tables.js";
import { databaseNow } from "./database-now.js";
import { statusLiteral } from "./workflow-status-name.js";

/** Workflows of `applicationName`, or of no application. */
function ofApplication(eb: ExpressionBuilder<SystemSchema, "workflow_status">, applicationName: string) {
  return eb.or([eb("application_name", "=", applicationName), eb("application_name", "is", null)]);
}

/**
 * Moves DELAYED workflows whose time has come (by the database clock) to ENQUEUED. Returns the
 * queues that got work, and how long until the next delayed workflow is due (if any).
 */
export async function promoteDelayedWorkflows(
  on: Queryable,
  applicationName: string,
): Promise<{ queues: string[]; nextDueInMs: number | null }> {
  const moved = await on.db
    .updateTable("workflow_status")
    .set((eb) => ({
      status: statusLiteral("ENQUEUED"),
      updated_at: databaseNow,
      deduplication_id: eb
        .case()
        .when(eb.ref("is_debounced"))
        .then(sql.lit(null))
        .else(eb.ref("deduplication_id"))
        .end(),
    }))
    .where("status", "=", statusLiteral("DELAYED"))
    .where("delay_until_epoch_ms", "<=", databaseNow)
    .where((eb) => ofApplication(eb, applicationName))
    .returning("queue_name")
    // A DELAYED workflow is always on a queue.
    .$narrowType<{ queue_name: string }>()
    .execute();
  const next = await on.db
    .selectFrom("workflow_status")
    .select((eb) => eb(eb.fn.min("delay_until_epoch_ms"), "-", databaseNow).as("due"))
    .where("status", "=", statusLiteral("DELAYED"))
    .where((eb) => ofApplication(eb, applicationName))
    .executeTakeFirst();
  return {
    queues: [...new Set(moved.map((r) => r.queue_name))],
    nextDueInMs: next?.due === null || next?.due === undefined ? null : Math.max(0, Number(next.due)),
  };
}
