// Cancelling workflows: one statement that marks them CANCELLED and wakes their runners.
import type { SystemDatabase } from "../system-database.js";
import { cancelChannel } from "./channels.js";
import { textList } from "./text-list.js";
import type { WorkflowChangeRecord } from "./workflow-change-record.js";

/**
 * Sets CANCELLED on every listed workflow not already SUCCESS, ERROR or CANCELLED, clearing its
 * queue, deduplication ID and start time. Returns, for each ID that exists, whether this call changed it and its status before.
 */
export async function cancelWorkflows(sysdb: SystemDatabase, workflowIDs: readonly string[], now: number): Promise<Map<string, WorkflowChangeRecord>> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const rows = await sql`
    with upd as (
      update ${s}.workflow_status
      set status = 'CANCELLED', updated_at = ${now}, completed_at = ${now}, started_at_epoch_ms = null,
          queue_name = null, deduplication_id = null
      where workflow_uuid = any(${textList(sql, workflowIDs)})
        and status not in ('SUCCESS', 'ERROR', 'CANCELLED')
      returning workflow_uuid
    ), woken as (
      select pg_notify(${cancelChannel}, workflow_uuid) from upd
    )
    select w.workflow_uuid, w.status, exists (select 1 from upd where upd.workflow_uuid = w.workflow_uuid) as changed,
      (select count(*) from woken) as n
    from ${s}.workflow_status w where w.workflow_uuid = any(${textList(sql, workflowIDs)})`;
  // The outer select reads the statement's snapshot: w.status is the status before this change.
  return new Map(rows.map((r) => [r.workflow_uuid as string, { changed: r.changed as boolean, previousStatus: r.status as string }]));
}
