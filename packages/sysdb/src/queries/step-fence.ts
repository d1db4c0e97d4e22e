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

/** A SQL fragment true while `key`'s run still owns its PENDING workflow. */
export function runOwnsWorkflow(sql: SystemDatabase["sql"], schema: string, key: Pick<StepKey, "workflowID" | "ownerXid">) {
  return sql`
    exists (select 1 from ${sql(schema)}.workflow_status
            where workflow_uuid = ${key.workflowID} and status = 'PENDING' and owner_xid = ${key.ownerXid})`;
}

/** A SQL fragment true while `key`'s run still owns its PENDING workflow and the step is free. */
export function stepIsFree(sql: SystemDatabase["sql"], schema: string, key: StepKey) {
  return sql`
    ${runOwnsWorkflow(sql, schema, key)}
    and not exists (select 1 from ${sql(schema)}.operation_outputs
                    where workflow_uuid = ${key.workflowID} and function_id = ${key.stepID})`;
}
