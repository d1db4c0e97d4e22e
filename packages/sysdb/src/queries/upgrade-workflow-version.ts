// Moving the PENDING and ENQUEUED workflows of one application version to another, whose code
// replays them: one statement, so a worker of the old version either finished a run first or is
// fenced off (its owner token no longer matches) and a worker of the new version resumes it.
import type { SystemDatabase } from "../system-database.js";
import { enqueuedChannel } from "./resume-workflows.js";
import { internalQueueName } from "./workflow-record.js";

export interface VersionUpgrade {
  readonly fromVersion: string;
  readonly toVersion: string;
  /** Only this application's rows (and those of no application); null: every application's. */
  readonly applicationName: string | null;
  readonly now: number;
  /** Select what would move, change nothing. */
  readonly dryRun: boolean;
}

export interface UpgradedWorkflowRecord {
  readonly workflowID: string;
  /** PENDING or ENQUEUED: its status before the upgrade (after it, every one is ENQUEUED). */
  readonly previousStatus: string;
  /** Its queue after the upgrade: its own, or the internal queue for a PENDING run started directly. */
  readonly queueName: string;
}

/**
 * Sets application_version to `toVersion` on the PENDING and ENQUEUED workflows of `fromVersion`
 * and puts the PENDING ones back to ENQUEUED (their own queue, else the internal one) with no owner,
 * so whichever worker serving `toVersion` dequeues them first replays them from their checkpoints;
 * then wakes the dequeuers. A process still running one of them fails its next checkpoint (it
 * checks its owner token) and stops it. Returns the workflows moved (or, dry, that would move).
 *
 * @example
 * const upgrade = { fromVersion: "v1", toVersion: "v2", applicationName: "shop", now: Date.now(), dryRun: false };
 * const moved = await upgradeWorkflowVersion(sysdb, upgrade);
 */
export async function upgradeWorkflowVersion(
  sysdb: SystemDatabase,
  u: VersionUpgrade,
): Promise<UpgradedWorkflowRecord[]> {
  const { sql } = sysdb;
  const status = sql`${sql(sysdb.schema)}.workflow_status`;
  const selected = sql`w.application_version = ${u.fromVersion} and w.status in ('PENDING', 'ENQUEUED')
    and (${u.applicationName}::text is null or w.application_name = ${u.applicationName}
      or w.application_name is null)`;
  const queue = sql`coalesce(nullif(w.queue_name, ''), ${internalQueueName})`;
  const rows = u.dryRun
    ? await sql`select w.workflow_uuid, w.status as previous_status, ${queue} as queue_name
        from ${status} w where ${selected} order by w.created_at, w.workflow_uuid`
    : await sql`
        with before as (
          select w.workflow_uuid, w.status from ${status} w where ${selected} for update
        ), moved as (
          update ${status} w
          set application_version = ${u.toVersion}, status = 'ENQUEUED', queue_name = ${queue}, updated_at = ${u.now},
              owner_xid = case when b.status = 'PENDING' then null else w.owner_xid end,
              started_at_epoch_ms = case when b.status = 'PENDING' then null else w.started_at_epoch_ms end
          from before b where w.workflow_uuid = b.workflow_uuid
          returning w.workflow_uuid, b.status as previous_status, w.queue_name, w.created_at
        ), woken as (
          select pg_notify(${enqueuedChannel}, q.queue_name) from (select distinct queue_name from moved) q
        )
        select workflow_uuid, previous_status, queue_name, (select count(*) from woken) as woken
        from moved order by created_at, workflow_uuid`;
  return rows.map((row) => ({
    workflowID: row.workflow_uuid as string,
    previousStatus: row.previous_status as string,
    queueName: row.queue_name as string,
  }));
}
