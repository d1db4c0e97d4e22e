// The tail shared by the bulk cancel and resume statements: after their `upd` (the rows changed)
// and `woken` (the NOTIFYs) CTEs, what the statement did to each listed workflow.
import type { QueryCreator } from "kysely";
import type { SystemSchema } from "../tables.js";
import { textArray } from "./text-array.js";
import type { WorkflowChangeRecord } from "./workflow-change-record.js";

/** The CTEs a bulk change declares before its report. */
export interface WorkflowChangeCtes {
  /** The rows the statement changed (its UPDATE … RETURNING workflow_uuid). */
  readonly upd: { workflow_uuid: string };
  /** Its NOTIFYs, counted by the report so Postgres runs them. */
  readonly woken: { n: unknown };
}

/**
 * Ends the statement begun by `db` (which declares the {@link WorkflowChangeCtes}) and runs it:
 * returns, for each of `workflowIDs` that exists, whether the statement changed it and its status before.
 */
export async function reportWorkflowChanges(
  db: QueryCreator<SystemSchema & WorkflowChangeCtes>,
  workflowIDs: readonly string[],
): Promise<Map<string, WorkflowChangeRecord>> {
  const rows = await db
    .selectFrom("workflow_status as w")
    .select((eb) => [
      "w.workflow_uuid",
      "w.status",
      eb
        .exists(eb.selectFrom("upd").select(eb.lit(1).as("one")).whereRef("upd.workflow_uuid", "=", "w.workflow_uuid"))
        .$castTo<boolean>()
        .as("changed"),
      eb
        .selectFrom("woken")
        .select((eb) => eb.fn.countAll().as("n"))
        .$asScalar()
        .as("n"),
    ])
    .where((eb) => eb("w.workflow_uuid", "=", eb.fn.any(textArray(workflowIDs))))
    .execute();
  // The outer select reads the statement's snapshot: w.status is the status before this change.
  return new Map(rows.map((r) => [r.workflow_uuid, { changed: r.changed, previousStatus: r.status }]));
}
