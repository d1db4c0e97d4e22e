// Listing workflows with filters, for management tools; built with Kysely because filters vary.
import type { Queryable } from "../queryable.js";
import { knownStatusLiterals } from "./workflow-status-name.js";
import {
  toWorkflowRecord,
  workflowRecordColumns,
  type WorkflowRecord,
  type WorkflowStatusName,
} from "./workflow-record.js";

export interface WorkflowFilter {
  readonly workflowIDs?: readonly string[];
  readonly workflowIDPrefix?: string;
  readonly status?: readonly WorkflowStatusName[];
  readonly name?: string;
  readonly applicationVersion?: string;
  readonly executorIDs?: readonly string[];
  readonly queueName?: string;
  readonly parentWorkflowID?: string;
  readonly forkedFrom?: string;
  /** Epoch ms bounds on created_at, inclusive. */
  readonly createdAfter?: number;
  readonly createdBefore?: number;
  /** Own plus unclaimed rows of this application; undefined sees all applications. */
  readonly applicationName?: string;
  readonly limit?: number;
  readonly offset?: number;
  readonly sortDesc?: boolean;
  /** Also load input, output and error texts. */
  readonly loadPayloads?: boolean;
}

/** Lists workflows matching every given filter, by creation time. */
export async function listWorkflows(on: Queryable, f: WorkflowFilter): Promise<WorkflowRecord[]> {
  // The record's columns only: the legacy payload columns of workflow_status are not handed out unasked.
  let q = on.db
    .selectFrom("workflow_status as w")
    .select(workflowRecordColumns.map((column) => `w.${column}` as const));
  if (f.workflowIDs !== undefined)
    q = q.where("w.workflow_uuid", "in", f.workflowIDs.length ? [...f.workflowIDs] : [""]);
  if (f.workflowIDPrefix !== undefined) q = q.where("w.workflow_uuid", "like", `${escapeLike(f.workflowIDPrefix)}%`);
  // Literals, not parameters, so even a prepared statement's generic plan sees which partial index
  // holds them: an ERROR or CANCELLED filter then walks durably_workflow_status_failed_created_at
  // (migration 0010) and reads failures only, however many newer workflows succeeded.
  if (f.status !== undefined && f.status.length > 0) q = q.where("w.status", "in", knownStatusLiterals(f.status));
  if (f.name !== undefined) q = q.where("w.name", "=", f.name);
  if (f.applicationVersion !== undefined) q = q.where("w.application_version", "=", f.applicationVersion);
  if (f.executorIDs !== undefined && f.executorIDs.length > 0) q = q.where("w.executor_id", "in", [...f.executorIDs]);
  if (f.queueName !== undefined) q = q.where("w.queue_name", "=", f.queueName);
  if (f.parentWorkflowID !== undefined) q = q.where("w.parent_workflow_id", "=", f.parentWorkflowID);
  if (f.forkedFrom !== undefined) q = q.where("w.forked_from", "=", f.forkedFrom);
  if (f.createdAfter !== undefined) q = q.where("w.created_at", ">=", f.createdAfter);
  if (f.createdBefore !== undefined) q = q.where("w.created_at", "<=", f.createdBefore);
  if (f.applicationName !== undefined) {
    const app = f.applicationName;
    q = q.where((eb) => eb.or([eb("w.application_name", "=", app), eb("w.application_name", "is", null)]));
  }
  q = q.orderBy("w.created_at", f.sortDesc ? "desc" : "asc").orderBy("w.workflow_uuid");
  if (f.limit !== undefined) q = q.limit(f.limit);
  if (f.offset !== undefined) q = q.offset(f.offset);
  if (!f.loadPayloads) return (await q.execute()).map(toWorkflowRecord);
  const rows = await q
    .leftJoin("workflow_input as i", "i.workflow_uuid", "w.workflow_uuid")
    .leftJoin("workflow_output as o", "o.workflow_uuid", "w.workflow_uuid")
    .select((eb) => [
      eb.fn.coalesce("i.inputs", "w.inputs").as("inputs"),
      eb.fn.coalesce("o.output", "w.output").as("output"),
      eb.fn.coalesce("o.error", "w.error").as("error"),
    ])
    .execute();
  return rows.map(toWorkflowRecord);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
