// One page of workflows, newest first, by keyset (created_at, workflow_uuid): a dashboard's list stays as
// fast on page 1,000 as on page 1 because it never counts or skips rows.
import type { SystemDatabase } from "../system-database.js";
import {
  toWorkflowRecord,
  workflowRecordColumns,
  type WorkflowRecord,
  type WorkflowStatusName,
} from "./workflow-record.js";
import { knownStatusLiterals } from "./workflow-status-name.js";

export interface WorkflowPageFilter {
  readonly status?: readonly WorkflowStatusName[];
  readonly name?: string;
  readonly queueName?: string;
  readonly applicationVersion?: string;
  readonly executorID?: string;
  readonly workflowIDPrefix?: string;
  readonly parentWorkflowID?: string;
  /** Epoch ms bounds on created_at, inclusive. */
  readonly createdAfter?: number;
  readonly createdBefore?: number;
  /** Own plus unclaimed rows of this application; undefined sees all applications. */
  readonly applicationName?: string;
}

/** Where the previous page ended: its last row's created_at and ID. */
export interface WorkflowPageCursor {
  readonly createdAt: number;
  readonly workflowID: string;
}

function filtered(sysdb: SystemDatabase, f: WorkflowPageFilter) {
  let q = sysdb.db.selectFrom("workflow_status as w");
  // Literals, so the failed statuses' partial index (migration 0010) matches even a generic plan.
  if (f.status !== undefined && f.status.length > 0) q = q.where("w.status", "in", knownStatusLiterals(f.status));
  if (f.name !== undefined) q = q.where("w.name", "=", f.name);
  if (f.queueName !== undefined) q = q.where("w.queue_name", "=", f.queueName);
  if (f.applicationVersion !== undefined) q = q.where("w.application_version", "=", f.applicationVersion);
  if (f.executorID !== undefined) q = q.where("w.executor_id", "=", f.executorID);
  if (f.workflowIDPrefix !== undefined) {
    q = q.where("w.workflow_uuid", "like", `${f.workflowIDPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (f.parentWorkflowID !== undefined) q = q.where("w.parent_workflow_id", "=", f.parentWorkflowID);
  if (f.createdAfter !== undefined) q = q.where("w.created_at", ">=", f.createdAfter);
  if (f.createdBefore !== undefined) q = q.where("w.created_at", "<=", f.createdBefore);
  if (f.applicationName !== undefined) {
    const app = f.applicationName;
    q = q.where((eb) => eb.or([eb("w.application_name", "=", app), eb("w.application_name", "is", null)]));
  }
  return q;
}

function pageQuery(sysdb: SystemDatabase, filter: WorkflowPageFilter, limit: number, cursor?: WorkflowPageCursor) {
  // The record's columns only: a listing does not hand out the legacy payload columns.
  let q = filtered(sysdb, filter).select(workflowRecordColumns.map((column) => `w.${column}` as const));
  if (cursor !== undefined) {
    const { createdAt, workflowID } = cursor;
    // The plain bound on created_at is what the index scan starts from; the OR breaks ties by ID.
    q = q
      .where("w.created_at", "<=", createdAt)
      .where((eb) =>
        eb.or([
          eb("w.created_at", "<", createdAt),
          eb.and([eb("w.created_at", "=", createdAt), eb("w.workflow_uuid", "<", workflowID)]),
        ]),
      );
  }
  return q.orderBy("w.created_at", "desc").orderBy("w.workflow_uuid", "desc").limit(limit);
}

/** The statement {@link listWorkflowPage} runs, compiled (for EXPLAIN tests that keep it on indexes). */
export function compileWorkflowPage(
  sysdb: SystemDatabase,
  filter: WorkflowPageFilter,
  limit: number,
  cursor?: WorkflowPageCursor,
): { readonly sql: string; readonly parameters: readonly unknown[] } {
  return pageQuery(sysdb, filter, limit, cursor).compile();
}

/** The `limit` newest workflows matching `filter` that come after `cursor` (without payloads). */
export async function listWorkflowPage(
  sysdb: SystemDatabase,
  filter: WorkflowPageFilter,
  limit: number,
  cursor?: WorkflowPageCursor,
): Promise<WorkflowRecord[]> {
  return (await pageQuery(sysdb, filter, limit, cursor).execute()).map(toWorkflowRecord);
}

/** The IDs of at most `limit` workflows matching `filter`, newest first (what a bulk action would touch). */
export async function listWorkflowPageIDs(
  sysdb: SystemDatabase,
  filter: WorkflowPageFilter,
  limit: number,
): Promise<string[]> {
  const rows = await filtered(sysdb, filter)
    .select("w.workflow_uuid")
    .orderBy("w.created_at", "desc")
    .orderBy("w.workflow_uuid", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => r.workflow_uuid);
}
