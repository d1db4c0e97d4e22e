// The shared piece of every "effect + checkpoint in one statement" query: a step identity, and
// the SQL condition that the workflow is still PENDING and owned by the run writing it.
import type { SystemDatabase } from "../system-database.js";

/** Who is writing a step: the workflow, the step ID, the owning run. */
export interface StepKey {
  readonly workflowID: string;
  readonly stepID: number;
  readonly ownerXid: string;
  readonly applicationName: string;
  readonly startedAt: number;
  readonly now: number;
}

/** A SQL fragment true while `key`'s run still owns its PENDING workflow and the step is free. */
export function stepIsFree(sql: SystemDatabase["sql"], schema: string, key: StepKey) {
  const s = sql(schema);
  return sql`
    exists (select 1 from ${s}.workflow_status
            where workflow_uuid = ${key.workflowID} and status = 'PENDING' and owner_xid = ${key.ownerXid})
    and not exists (select 1 from ${s}.operation_outputs
                    where workflow_uuid = ${key.workflowID} and function_id = ${key.stepID})`;
}
