// Resuming workflows: back to ENQUEUED on a queue with a fresh attempt count and timeout clock.
import type { SystemDatabase } from "../system-database.js";
import { enqueuedChannel } from "./channels.js";
import { internalQueueName } from "./workflow-record.js";
import { textList } from "./text-list.js";
import type { WorkflowChangeRecord } from "./workflow-change-record.js";

// Still imported from here by claim-workflows.ts and executor-leases.ts; channels.ts is its home.
export { enqueuedChannel } from "./channels.js";

/**
 * Puts every listed workflow that is not SUCCESS or ERROR back to ENQUEUED on `queueName`
 * (default the internal queue), resetting attempts, deadline, deduplication and times.
 * Returns, for each ID that exists, whether this call changed it and its status before.
 */
export async function resumeWorkflows(
  sysdb: SystemDatabase,
  workflowIDs: readonly string[],
  now: number,
  queueName: string = internalQueueName,
): Promise<Map<string, WorkflowChangeRecord>> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const rows = await sql`
    with upd as (
      update ${s}.workflow_status
      set status = 'ENQUEUED', queue_name = ${queueName}, recovery_attempts = 0,
          workflow_deadline_epoch_ms = null, deduplication_id = null, started_at_epoch_ms = null,
          completed_at = null, updated_at = ${now}
      where workflow_uuid = any(${textList(sql, workflowIDs)}) and status not in ('SUCCESS', 'ERROR')
      returning workflow_uuid
    ), woken as (
      select pg_notify(${enqueuedChannel}, ${queueName}) from (select 1 from upd limit 1) x
    )
    select w.workflow_uuid, w.status, exists (select 1 from upd where upd.workflow_uuid = w.workflow_uuid) as changed,
      (select count(*) from woken) as n
    from ${s}.workflow_status w where w.workflow_uuid = any(${textList(sql, workflowIDs)})`;
  // The outer select reads the statement's snapshot: w.status is the status before this change.
  return new Map(rows.map((r) => [r.workflow_uuid as string, { changed: r.changed as boolean, previousStatus: r.status as string }]));
}
