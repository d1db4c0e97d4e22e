// Workflows no live worker will run: PENDING or ENQUEUED rows of an application version that no
// live executor lease serves (as its own version or a compatible one). Counted for the launch
// warning and `durably version list`; moved to a new version where the user opted in.
import { sql } from "kysely";
import type { SystemDatabase } from "../system-database.js";
import { enqueuedChannel } from "./resume-workflows.js";
import { internalQueueName } from "./workflow-record.js";

export interface StrandedVersion {
  readonly applicationVersion: string;
  /** PENDING rows of this version (their process is gone, or serves other versions). */
  readonly pending: number;
  /** ENQUEUED rows of this version: no worker may dequeue them. */
  readonly enqueued: number;
}

/** Live leases of the application (renewed within their lapse), with what they serve. */
function liveLeases(sysdb: SystemDatabase, applicationName: string) {
  const leases = sql.id(sysdb.schema, "durably_executor_leases");
  return sql`select application_version, served_versions from ${leases}
    where application_name = ${applicationName}
      and ended_at is null and renewed_at + lapse_ms * interval '1 millisecond' >= clock_timestamp()`;
}

/** The condition that no live lease serves `w`'s version (`live`: the CTE of liveLeases). */
const servedByNone = sql`not exists (select 1 from live l
  where l.application_version = w.application_version or w.application_version = any(l.served_versions))`;

/**
 * Counts, by version, the PENDING and ENQUEUED workflows of `applicationName` whose version no live
 * worker serves. Workers of DBOS's SDKs hold no lease, so their versions count as unserved here.
 *
 * @example
 * for (const v of await countStrandedWorkflows(sysdb, "shop")) console.log(v.applicationVersion, v.pending);
 */
export async function countStrandedWorkflows(
  sysdb: SystemDatabase,
  applicationName: string,
): Promise<StrandedVersion[]> {
  const status = sql.id(sysdb.schema, "workflow_status");
  const { rows } = await sql<{ application_version: string; pending: string; enqueued: string }>`
    with live as (${liveLeases(sysdb, applicationName)})
    select w.application_version,
           count(*) filter (where w.status = 'PENDING') as pending,
           count(*) filter (where w.status = 'ENQUEUED') as enqueued
    from ${status} w
    where w.status in ('PENDING', 'ENQUEUED') and w.application_version is not null
      and (w.application_name = ${applicationName} or w.application_name is null)
      and ${servedByNone}
    group by w.application_version
    order by w.application_version`.execute(sysdb.db);
  return rows.map((row) => ({
    applicationVersion: row.application_version,
    pending: Number(row.pending),
    enqueued: Number(row.enqueued),
  }));
}

export interface StrandedUpgrade {
  readonly applicationName: string;
  /** The version the workflows move to: the upgrading worker's own. */
  readonly toVersion: string;
  readonly now: number;
}

/**
 * Moves the stranded workflows of `applicationName` to `toVersion` and wakes the workers: ENQUEUED
 * rows keep their queue; PENDING rows whose lease ended go back to ENQUEUED (on their queue, or the
 * internal one), so whichever worker of `toVersion` dequeues them first replays them. PENDING rows
 * still held by a live lease or by a DBOS executor (no lease) are left alone. Returns the moved
 * workflows' IDs with the version each came from.
 */
export async function upgradeStrandedWorkflows(
  sysdb: SystemDatabase,
  u: StrandedUpgrade,
): Promise<Array<{ workflowID: string; fromVersion: string }>> {
  const status = sql.id(sysdb.schema, "workflow_status");
  const leases = sql.id(sysdb.schema, "durably_executor_leases");
  const { rows } = await sql<{ workflow_uuid: string; from_version: string }>`
    with live as (${liveLeases(sysdb, u.applicationName)}), stranded as (
      select w.workflow_uuid, w.status, w.owner_xid, w.application_version as from_version from ${status} w
      where w.status in ('PENDING', 'ENQUEUED') and w.application_version is not null
        and w.application_version <> ${u.toVersion}
        and (w.application_name = ${u.applicationName} or w.application_name is null)
        and ${servedByNone}
        and (w.status = 'ENQUEUED' or (strpos(w.owner_xid, '.') > 0 and not exists (
          select 1 from ${leases} o where o.lease_id = split_part(w.owner_xid, '.', 1) and o.ended_at is null)))
      for update of w skip locked
    ), moved as (
      update ${status} w
      set application_version = ${u.toVersion}, updated_at = ${u.now},
          status = 'ENQUEUED', queue_name = coalesce(nullif(w.queue_name, ''), ${internalQueueName}),
          owner_xid = case when w.status = 'PENDING' then null else w.owner_xid end,
          started_at_epoch_ms = case when w.status = 'PENDING' then null else w.started_at_epoch_ms end
      from stranded s
      -- Only if unchanged since the snapshot: a live process may have claimed the row meanwhile.
      where w.workflow_uuid = s.workflow_uuid and w.status = s.status and w.owner_xid is not distinct from s.owner_xid
      returning w.workflow_uuid, w.queue_name, s.from_version
    ), woken as (
      select pg_notify(${enqueuedChannel}, q.queue_name) from (select distinct queue_name from moved) q
    )
    select workflow_uuid, from_version, (select count(*) from woken) as woken from moved`.execute(sysdb.db);
  return rows.map((row) => ({ workflowID: row.workflow_uuid, fromVersion: row.from_version }));
}
