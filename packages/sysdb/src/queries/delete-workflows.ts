// Retention: deleting finished workflows and everything that belongs to them, a batch at a time
// so no statement holds many locks for long.
import type { SystemDatabase } from "../system-database.js";

/**
 * Deletes up to `batchSize` workflows that finished (SUCCESS, ERROR, CANCELLED,
 * MAX_RECOVERY_ATTEMPTS_EXCEEDED) before `cutoffEpochMs`, with their inputs, outputs and
 * checkpoints (messages, events and streams go by foreign-key cascade). Rows other workers are
 * touching are skipped. Returns how many workflows were deleted.
 */
export async function deleteFinishedWorkflows(
  sysdb: SystemDatabase,
  cutoffEpochMs: number,
  batchSize: number,
  applicationName: string | undefined,
): Promise<number> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const app = applicationName ?? null;
  const [row] = await sql`
    with doomed as (
      select workflow_uuid from ${s}.workflow_status
      where status in ('SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')
        and coalesce(completed_at, updated_at) < ${cutoffEpochMs}
        and (${app}::text is null or application_name = ${app}::text or application_name is null)
      limit ${batchSize}
      for update skip locked
    ), steps as (
      delete from ${s}.operation_outputs o using doomed d where o.workflow_uuid = d.workflow_uuid
    ), inputs as (
      delete from ${s}.workflow_input i using doomed d where i.workflow_uuid = d.workflow_uuid
    ), outputs as (
      delete from ${s}.workflow_output o using doomed d where o.workflow_uuid = d.workflow_uuid
    ), statuses as (
      delete from ${s}.workflow_status w using doomed d where w.workflow_uuid = d.workflow_uuid returning 1
    )
    select count(*)::int as deleted from statuses`;
  return row?.deleted ?? 0;
}
