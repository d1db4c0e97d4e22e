// Executor leases (migration 0004): each launched process renews a lease on the database clock;
// the live processes of an application adopt the PENDING workflows of a lease that lapsed or was
// released. A workflow names its lease by its owner token, "<lease_id>.<random>" (ownerTokenOf).
//
// Built with Kysely; the renewal and adoption statements are `sql` templates because they update
// and read one table in data-modifying CTEs and rank leases with window functions.
import { sql } from "kysely";
import { newOwnerToken } from "../short-id.js";
import type { SystemDatabase } from "../system-database.js";
import { enqueuedChannel } from "./resume-workflows.js";
import { textArray } from "./text-list.js";
import { internalQueueName, toWorkflowRecord, type WorkflowRecord } from "./workflow-record.js";

/** Channel on which a released or replaced lease wakes the other processes to adopt at once. */
export const leaseEndedChannel = "durably_lease_ended";

export interface LeaseRegistration {
  readonly leaseID: string;
  readonly executorID: string;
  readonly applicationName: string;
  readonly applicationVersion: string;
  /** Every version the process serves: its own and its compatible ones. */
  readonly servedVersions: readonly string[];
  readonly hostname: string;
  readonly pid: number;
  readonly renewMs: number;
  readonly lapseMs: number;
}

/** An owner token of a workflow run under `leaseID`: the lease is the part before the dot. */
export function ownerTokenOf(leaseID: string): string {
  return `${leaseID}.${newOwnerToken()}`;
}

/** Starts a lease, renewed as of now. */
export async function registerLease(sysdb: SystemDatabase, lease: LeaseRegistration): Promise<void> {
  await sysdb.db
    .insertInto("durably_executor_leases")
    .values({
      lease_id: lease.leaseID,
      executor_id: lease.executorID,
      application_name: lease.applicationName,
      application_version: lease.applicationVersion,
      served_versions: textArray(lease.servedVersions),
      hostname: lease.hostname,
      pid: lease.pid,
      renew_ms: lease.renewMs,
      lapse_ms: lease.lapseMs,
    })
    .onConflict((c) => c.column("lease_id").doNothing())
    .execute();
}

/**
 * Ends the other live leases of `executorID` in this application (only `leaseIDs`, if given): a
 * process launched with an explicit executor ID is that executor, so its predecessor's workflows
 * are its own to recover now, with no wait for the lapse. Any late rows of theirs are adopted like
 * a lapsed lease's.
 */
export async function replaceLeasesOfExecutor(
  sysdb: SystemDatabase,
  lease: LeaseRegistration,
  leaseIDs?: readonly string[],
): Promise<number> {
  if (leaseIDs !== undefined && leaseIDs.length === 0) return 0;
  let update = sysdb.db
    .updateTable("durably_executor_leases")
    .set({ ended_at: sql<Date>`clock_timestamp()`, ended_reason: "replaced" })
    .where("executor_id", "=", lease.executorID)
    .where("application_name", "=", lease.applicationName)
    .where("lease_id", "<>", lease.leaseID)
    .where("ended_at", "is", null);
  if (leaseIDs !== undefined) update = update.where("lease_id", "in", [...leaseIDs]);
  const ended = await update.returning("lease_id").execute();
  return ended.length;
}

/** The other live leases of `lease`'s executor ID and application held on its host, with their PIDs. */
export async function leasesOfExecutorOnHost(
  sysdb: SystemDatabase,
  lease: LeaseRegistration,
): Promise<Array<{ readonly leaseID: string; readonly pid: number }>> {
  const rows = await sysdb.db
    .selectFrom("durably_executor_leases")
    .select(["lease_id", "pid"])
    .where("executor_id", "=", lease.executorID)
    .where("application_name", "=", lease.applicationName)
    .where("hostname", "=", lease.hostname)
    .where("lease_id", "<>", lease.leaseID)
    .where("ended_at", "is", null)
    .execute();
  return rows.map((row) => ({ leaseID: row.lease_id, pid: row.pid }));
}

export interface LeaseRenewal {
  /** False when the lease had ended (it lapsed and was judged so by another process): it is lost. */
  readonly renewed: boolean;
  /** Leases of the application that ended and may still have workflows to adopt. */
  readonly endedLeases: number;
}

/**
 * Renews `leaseID` on the database clock and judges the others of its application: a lease is
 * lapsed when it went `lapse_ms` without renewal and missed renewals while this one kept renewing
 * (so after an outage that cut everyone off, nobody condemns the others for it). An ended lease is
 * forgotten `keepEndedLapses` of its own lapses after it ended, whoever renews.
 */
export async function renewLease(
  sysdb: SystemDatabase,
  lease: { readonly leaseID: string; readonly applicationName: string; readonly keepEndedLapses: number },
): Promise<LeaseRenewal> {
  const leases = sql.id(sysdb.schema, "durably_executor_leases");
  const { rows } = await sql<{ renewed: number; ended: number }>`
    with previous as (
      select renewed_at from ${leases} where lease_id = ${lease.leaseID} and ended_at is null
    ), renewed as (
      update ${leases} set renewed_at = clock_timestamp()
      where lease_id = ${lease.leaseID} and ended_at is null
      returning lease_id
    ), lapsed as (
      update ${leases} l set ended_at = clock_timestamp(), ended_reason = 'lapsed'
      from previous p
      where l.application_name = ${lease.applicationName} and l.ended_at is null and l.lease_id <> ${lease.leaseID}
        and l.renewed_at + l.lapse_ms * interval '1 millisecond' < clock_timestamp()
        and l.renewed_at < p.renewed_at - 2 * l.renew_ms * interval '1 millisecond'
      returning l.lease_id
    ), forgotten as (
      delete from ${leases}
      where application_name = ${lease.applicationName}
        and ended_at < clock_timestamp() - ${lease.keepEndedLapses} * lapse_ms * interval '1 millisecond'
    )
    select (select count(*) from renewed) as renewed,
           (select count(*) from lapsed)
             + (select count(*) from ${leases}
                where application_name = ${lease.applicationName} and ended_at is not null)
             as ended`.execute(sysdb.db);
  const row = rows[0]!;
  return { renewed: Number(row.renewed) === 1, endedLeases: Number(row.ended) };
}

/** Ends `leaseID` now (graceful shutdown) and wakes the other processes to adopt what it left. */
export async function releaseLease(
  sysdb: SystemDatabase,
  lease: { readonly leaseID: string; readonly applicationName: string },
): Promise<void> {
  const leases = sql.id(sysdb.schema, "durably_executor_leases");
  await sql`
    with released as (
      update ${leases} set ended_at = clock_timestamp(), ended_reason = 'released'
      where lease_id = ${lease.leaseID} and ended_at is null
      returning lease_id
    )
    select pg_notify(${leaseEndedChannel}, ${lease.applicationName}) from released`.execute(sysdb.db);
}

export interface AdoptionRequest {
  readonly leaseID: string;
  readonly executorID: string;
  readonly applicationName: string;
  readonly applicationVersion: string;
  /** Every version this process serves: its own and its compatible ones. */
  readonly servedVersions: readonly string[];
  /**
   * true: take only this process's share of the orphans (the live leases serving a row's version split
   * them by a hash of the workflow ID), as every live process does when a lease ended. false:
   * take them all (the occasional sweep for rows written late under a lease already forgotten).
   */
  readonly spread: boolean;
  readonly now: number;
}

/**
 * The condition that `w`'s PENDING row names a lease that is not live (ended, or forgotten). It
 * is judged on the statement's snapshot: a claim locks the row only if its owner token is still the
 * one judged (see lockedIfUnchanged).
 */
function orphaned(sysdb: SystemDatabase, applicationName: string) {
  const leases = sql.id(sysdb.schema, "durably_executor_leases");
  return sql`w.status = 'PENDING' and strpos(w.owner_xid, '.') > 0
    and (w.application_name = ${applicationName} or w.application_name is null)
    and not exists (select 1 from ${leases} l
                    where l.lease_id = split_part(w.owner_xid, '.', 1) and l.ended_at is null)`;
}

/**
 * Locks the `candidates` rows whose owner token is still the one the snapshot saw, skipping rows
 * being changed. A row another process claimed since the snapshot (committed before we reach it)
 * is left out: Postgres rechecks the row's own columns against its newest version, but a join or
 * NOT EXISTS on another table (here the leases) is not re-run, so without this comparison such a
 * row would look orphaned still and be claimed twice.
 */
function lockedIfUnchanged(status: ReturnType<typeof sql.id>) {
  return sql`
      select w.workflow_uuid from ${status} w
      join candidates c on c.workflow_uuid = w.workflow_uuid and c.owner_xid = w.owner_xid
      for update of w skip locked`;
}

/**
 * Sends the orphaned PENDING workflows of this application that sit on a user queue back to
 * ENQUEUED on it, freeing their concurrency slots, and wakes the queue's workers. Returns their IDs.
 */
export async function requeueOrphanedWorkflows(
  sysdb: SystemDatabase,
  applicationName: string,
  now: number,
): Promise<string[]> {
  const status = sql.id(sysdb.schema, "workflow_status");
  const { rows } = await sql<{ workflow_uuid: string }>`
    with candidates as materialized (
      select w.workflow_uuid, w.owner_xid from ${status} w
      where ${orphaned(sysdb, applicationName)} and w.queue_name is not null and w.queue_name <> ${internalQueueName}
    ), orphans as (${lockedIfUnchanged(status)}), requeued as (
      update ${status} w
      set status = 'ENQUEUED', owner_xid = null, started_at_epoch_ms = null, updated_at = ${now}
      from orphans o where w.workflow_uuid = o.workflow_uuid
      returning w.workflow_uuid, w.queue_name
    ), woken as (
      select pg_notify(${enqueuedChannel}, q.queue_name) from (select distinct queue_name from requeued) q
    )
    select workflow_uuid, (select count(*) from woken) as woken from requeued`.execute(sysdb.db);
  return rows.map((row) => row.workflow_uuid);
}

/**
 * Claims for this process the orphaned PENDING workflows of this application, of the versions it
 * serves, that are on no user queue (its share of them when `spread`: a row goes to one of the live
 * processes serving its version, by a hash of its ID), with fresh owner tokens of its lease, so a
 * paused former owner commits nothing more for them. Rows of other versions wait for a process
 * serving them. Each row is taken once: rows another process is adopting are skipped.
 */
export async function claimOrphanedWorkflows(sysdb: SystemDatabase, r: AdoptionRequest): Promise<WorkflowRecord[]> {
  const leases = sql.id(sysdb.schema, "durably_executor_leases");
  const status = sql.id(sysdb.schema, "workflow_status");
  const input = sql.id(sysdb.schema, "workflow_input");
  const token = ownerTokenOf(r.leaseID);
  const { rows } = await sql<Record<string, unknown>>`
    with peers as (
      select lease_id, application_version, served_versions from ${leases}
      where application_name = ${r.applicationName}
        and ended_at is null and renewed_at + lapse_ms * interval '1 millisecond' >= clock_timestamp()
    ), candidates as materialized (
      select w.workflow_uuid, w.owner_xid from ${status} w
      where ${orphaned(sysdb, r.applicationName)}
        and (w.queue_name is null or w.queue_name = ${internalQueueName})
        and w.application_version = any(${textArray(r.servedVersions)})
        and (not ${r.spread}::bool or exists (
          select 1 from (
            select lease_id, (row_number() over (order by lease_id)) - 1 as rank, count(*) over () as size
            from peers p
            where p.application_version = w.application_version or w.application_version = any(p.served_versions)
          ) mine
          where mine.lease_id = ${r.leaseID} and mod(abs(hashtext(w.workflow_uuid)::int8), mine.size) = mine.rank))
    ), orphans as (${lockedIfUnchanged(status)}), claimed as (
      update ${status} w
      set owner_xid = ${token}, executor_id = ${r.executorID}, recovery_attempts = w.recovery_attempts + 1,
          updated_at = ${r.now}, application_name = coalesce(w.application_name, ${r.applicationName})
      from orphans o where w.workflow_uuid = o.workflow_uuid
      returning w.*
    )
    select c.*, coalesce(i.inputs, c.inputs) as inputs
    from claimed c left join ${input} i on i.workflow_uuid = c.workflow_uuid
    order by c.created_at`.execute(sysdb.db);
  return rows.map(toWorkflowRecord);
}

export interface ExecutorLeaseRecord {
  readonly leaseID: string;
  readonly executorID: string;
  readonly applicationName: string;
  readonly applicationVersion: string;
  /** Every version the process serves: its own and its compatible ones (0005; empty for older leases). */
  readonly servedVersions: readonly string[];
  readonly hostname: string;
  readonly pid: number;
  readonly startedAt: Date;
  readonly renewedAt: Date;
  /**
   * live: renewing; lapsed: stopped renewing (or was judged so); released: shut down; replaced: a
   * new process took its executor ID.
   */
  readonly state: "live" | "lapsed" | "released" | "replaced";
  /** PENDING workflows whose owner token names this lease. */
  readonly workflowsOwned: number;
}

/** The leases of an application (or of all applications), newest first, with what each owns. */
export async function listExecutorLeases(
  sysdb: SystemDatabase,
  applicationName?: string,
): Promise<ExecutorLeaseRecord[]> {
  const leases = sql.id(sysdb.schema, "durably_executor_leases");
  const status = sql.id(sysdb.schema, "workflow_status");
  const scope = applicationName === undefined ? sql`true` : sql`l.application_name = ${applicationName}`;
  const { rows } = await sql<{
    lease_id: string;
    executor_id: string;
    application_name: string;
    application_version: string;
    hostname: string;
    pid: number;
    started_at: Date;
    renewed_at: Date;
    ended_reason: string | null;
    overdue: boolean;
    owned: number;
    served: string[];
  }>`
    select l.*, to_json(l.served_versions) as served,
           l.renewed_at + l.lapse_ms * interval '1 millisecond' < clock_timestamp() as overdue,
           (select count(*) from ${status} w
            where w.status = 'PENDING' and split_part(w.owner_xid, '.', 1) = l.lease_id) as owned
    from ${leases} l where ${scope}
    order by l.started_at desc`.execute(sysdb.db);
  return rows.map((row) => ({
    leaseID: row.lease_id,
    executorID: row.executor_id,
    applicationName: row.application_name,
    applicationVersion: row.application_version,
    servedVersions: row.served,
    hostname: row.hostname,
    pid: row.pid,
    startedAt: row.started_at,
    renewedAt: row.renewed_at,
    state: (row.ended_reason ?? (row.overdue ? "lapsed" : "live")) as ExecutorLeaseRecord["state"],
    workflowsOwned: Number(row.owned),
  }));
}
