// Executor leases (migration 0004): each launched process renews a lease on the database clock;
// the live processes of an application adopt the PENDING workflows of a lease that lapsed or was
// released. A workflow names its lease by its owner token, "<lease_id>.<random>" (ownerTokenOf).
//
// Built with Kysely's builder; the one `sql` fragment is the interval literal (milliseconds.ts).
import { expressionBuilder, sql, type Expression, type SqlBool } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";
import { newOwnerToken } from "../short-id.js";
import type { SystemSchema, WorkflowStatusTable } from "../tables.js";
import { enqueuedChannel } from "./channels.js";
import { milliseconds } from "./milliseconds.js";
import { textArray, textArrayOfJson } from "./text-array.js";
import { internalQueueName, toWorkflowRecord, type WorkflowRecord } from "./workflow-record.js";
import { statusLiteral } from "./workflow-status-name.js";

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
export async function registerLease(on: Queryable, lease: LeaseRegistration): Promise<void> {
  await on.db
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
  on: Queryable,
  lease: LeaseRegistration,
  leaseIDs?: readonly string[],
): Promise<number> {
  if (leaseIDs !== undefined && leaseIDs.length === 0) return 0;
  let update = on.db
    .updateTable("durably_executor_leases")
    .set({ ended_at: clockTimestamp, ended_reason: "replaced" })
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
  on: Queryable,
  lease: LeaseRegistration,
): Promise<Array<{ readonly leaseID: string; readonly pid: number }>> {
  const rows = await on.db
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

const eb = expressionBuilder<SystemSchema>();

/** Now, by the database's clock (advancing within a transaction, unlike now()). */
const clockTimestamp = eb.fn<Date>("clock_timestamp");

/**
 * Renews `leaseID` on the database clock and judges the others of its application: a lease is
 * lapsed when it went `lapse_ms` without renewal and missed renewals while this one kept renewing
 * (so after an outage that cut everyone off, nobody condemns the others for it). An ended lease is
 * forgotten `keepEndedLapses` of its own lapses after it ended, whoever renews.
 */
export async function renewLease(
  on: Queryable,
  lease: { readonly leaseID: string; readonly applicationName: string; readonly keepEndedLapses: number },
): Promise<LeaseRenewal> {
  const [row] = await renewal.execute(on, {
    leaseID: lease.leaseID,
    applicationName: lease.applicationName,
    keepEndedLapses: lease.keepEndedLapses,
  });
  return { renewed: Number(row?.renewed) === 1, endedLeases: Number(row?.ended) };
}

// Every process runs it every renewal period: compiled once.
const renewal = new CompiledStatement((db, p: { leaseID: string; applicationName: string; keepEndedLapses: number }) =>
  db
    .with("previous", (db) =>
      db
        .selectFrom("durably_executor_leases")
        .select("renewed_at")
        .where("lease_id", "=", p.leaseID)
        .where("ended_at", "is", null),
    )
    .with("renewed", (db) =>
      db
        .updateTable("durably_executor_leases")
        .set({ renewed_at: clockTimestamp })
        .where("lease_id", "=", p.leaseID)
        .where("ended_at", "is", null)
        .returning("lease_id"),
    )
    .with("lapsed", (db) =>
      db
        .updateTable("durably_executor_leases as l")
        .from("previous as p")
        .set({ ended_at: clockTimestamp, ended_reason: sql.lit("lapsed") })
        .where("l.application_name", "=", p.applicationName)
        .where("l.ended_at", "is", null)
        .where("l.lease_id", "<>", p.leaseID)
        .where((eb) => eb(eb("l.renewed_at", "+", milliseconds(eb.ref("l.lapse_ms"))), "<", clockTimestamp))
        .where((eb) =>
          eb("l.renewed_at", "<", eb("p.renewed_at", "-", milliseconds(eb(sql.lit(2), "*", eb.ref("l.renew_ms"))))),
        )
        .returning("l.lease_id"),
    )
    .with("forgotten", (db) =>
      db
        .deleteFrom("durably_executor_leases")
        .where("application_name", "=", p.applicationName)
        .where((eb) =>
          eb(
            "ended_at",
            "<",
            eb(clockTimestamp, "-", milliseconds(eb(eb.val(p.keepEndedLapses), "*", eb.ref("lapse_ms")))),
          ),
        ),
    )
    .selectNoFrom((eb) => [
      eb
        .selectFrom("renewed")
        .select((eb) => eb.fn.countAll().as("n"))
        .$asScalar()
        .as("renewed"),
      eb(
        eb
          .selectFrom("lapsed")
          .select((eb) => eb.fn.countAll().as("n"))
          .$asScalar(),
        "+",
        eb
          .selectFrom("durably_executor_leases")
          .select((eb) => eb.fn.countAll().as("n"))
          .where("application_name", "=", p.applicationName)
          .where("ended_at", "is not", null)
          .$asScalar(),
      ).as("ended"),
    ]),
);

/** Ends `leaseID` now (graceful shutdown) and wakes the other processes to adopt what it left. */
export async function releaseLease(
  on: Queryable,
  lease: { readonly leaseID: string; readonly applicationName: string },
): Promise<void> {
  await on.db
    .with("released", (db) =>
      db
        .updateTable("durably_executor_leases")
        .set({ ended_at: clockTimestamp, ended_reason: sql.lit("released") })
        .where("lease_id", "=", lease.leaseID)
        .where("ended_at", "is", null)
        .returning("lease_id"),
    )
    .selectFrom("released")
    .select((eb) => eb.fn("pg_notify", [eb.val(leaseEndedChannel), eb.val(lease.applicationName)]).as("n"))
    .execute();
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

/** A workflow_status row as `w`, the alias of the adoption statements. */
type WithW = SystemSchema & { w: WorkflowStatusTable };
const ew = expressionBuilder<WithW, "w">();

/**
 * The condition that `w`'s PENDING row names a lease that is not live (ended, or forgotten). It
 * is judged on the statement's snapshot: a claim locks the row only if its owner token is still the
 * one judged (see lockedIfUnchanged).
 */
function orphaned(applicationName: string): Expression<SqlBool> {
  return ew.and([
    ew("w.status", "=", statusLiteral("PENDING")),
    ew(ew.fn<number>("strpos", ["w.owner_xid", sql.lit(".")]), ">", sql.lit(0)),
    ew.or([ew("w.application_name", "=", applicationName), ew("w.application_name", "is", null)]),
    ew.not(
      ew.exists(
        ew
          .selectFrom("durably_executor_leases as l")
          .select(sql.lit(1).as("one"))
          .where("l.lease_id", "=", leaseOf(ew.ref("w.owner_xid")))
          .where("l.ended_at", "is", null),
      ),
    ),
  ]);
}

/** The lease an owner token names: the part before the dot. */
function leaseOf(ownerToken: Expression<string | null>): Expression<string> {
  return eb.fn<string>("split_part", [ownerToken, sql.lit("."), sql.lit(1)]);
}

/**
 * Locks the `candidates` rows whose owner token is still the one the snapshot saw, skipping rows
 * being changed. A row another process claimed since the snapshot (committed before we reach it)
 * is left out: Postgres rechecks the row's own columns against its newest version, but a join or
 * NOT EXISTS on another table (here the leases) is not re-run, so without this comparison such a
 * row would look orphaned still and be claimed twice.
 */
const lockedIfUnchanged = expressionBuilder<
  SystemSchema & { candidates: { workflow_uuid: string; owner_xid: string | null } }
>()
  .selectFrom("workflow_status as w")
  .innerJoin("candidates as c", (join) =>
    join.onRef("c.workflow_uuid", "=", "w.workflow_uuid").onRef("c.owner_xid", "=", "w.owner_xid"),
  )
  .select("w.workflow_uuid")
  .forUpdate("w")
  .skipLocked();

/**
 * Sends the orphaned PENDING workflows of this application that sit on a user queue back to
 * ENQUEUED on it, freeing their concurrency slots, and wakes the queue's workers. Returns their IDs.
 */
export async function requeueOrphanedWorkflows(on: Queryable, applicationName: string, now: number): Promise<string[]> {
  const rows = await requeueOrphans.execute(on, { applicationName, now });
  return rows.map((row) => row.workflow_uuid);
}

// Every live process runs the adoption statements each renewal while an ended lease is remembered:
// both are compiled once.
const requeueOrphans = new CompiledStatement((db, p: { applicationName: string; now: number }) =>
  db
    .with(
      (cte) => cte("candidates").materialized(),
      (db) =>
        db
          .selectFrom("workflow_status as w")
          .select(["w.workflow_uuid", "w.owner_xid"])
          .where(orphaned(p.applicationName))
          .where("w.queue_name", "is not", null)
          .where("w.queue_name", "<>", internalQueueName),
    )
    .with("orphans", () => lockedIfUnchanged)
    .with("requeued", (db) =>
      db
        .updateTable("workflow_status as w")
        .from("orphans as o")
        .set({
          status: statusLiteral("ENQUEUED"),
          owner_xid: sql.lit(null),
          started_at_epoch_ms: sql.lit(null),
          updated_at: p.now,
        })
        .whereRef("w.workflow_uuid", "=", "o.workflow_uuid")
        .returning(["w.workflow_uuid", "w.queue_name"]),
    )
    .with("woken", (db) =>
      db
        .selectFrom((db) => db.selectFrom("requeued").select("queue_name").distinct().as("q"))
        .select((eb) => eb.fn("pg_notify", [eb.val(enqueuedChannel), "q.queue_name"]).as("n")),
    )
    .selectFrom("requeued")
    .select((eb) => [
      "requeued.workflow_uuid",
      // Selecting from `woken` makes the statement run it (a CTE nobody reads is skipped).
      eb
        .selectFrom("woken")
        .select((eb) => eb.fn.countAll().as("n"))
        .$asScalar()
        .as("woken"),
    ]),
);

/**
 * Claims for this process the orphaned PENDING workflows of this application, of the versions it
 * serves, that are on no user queue (its share of them when `spread`: a row goes to one of the live
 * processes serving its version, by a hash of its ID), with fresh owner tokens of its lease, so a
 * paused former owner commits nothing more for them. Rows of other versions wait for a process
 * serving them. Each row is taken once: rows another process is adopting are skipped.
 */
export async function claimOrphanedWorkflows(on: Queryable, r: AdoptionRequest): Promise<WorkflowRecord[]> {
  const rows = await claimOrphans.execute(on, {
    leaseID: r.leaseID,
    executorID: r.executorID,
    applicationName: r.applicationName,
    servedVersionsJson: JSON.stringify(r.servedVersions),
    spread: r.spread,
    token: ownerTokenOf(r.leaseID),
    now: r.now,
  });
  return rows.map(toWorkflowRecord);
}

interface ClaimOrphansParameters {
  leaseID: string;
  executorID: string;
  applicationName: string;
  /** A JSON array of strings (see text-array.ts). */
  servedVersionsJson: string;
  spread: boolean;
  token: string;
  now: number;
}

const claimOrphans = new CompiledStatement((db, p: ClaimOrphansParameters) =>
  db
    .with("peers", (db) =>
      db
        .selectFrom("durably_executor_leases")
        .select(["lease_id", "application_version", "served_versions"])
        .where("application_name", "=", p.applicationName)
        .where("ended_at", "is", null)
        .where((eb) => eb(eb("renewed_at", "+", milliseconds(eb.ref("lapse_ms"))), ">=", clockTimestamp)),
    )
    .with(
      (cte) => cte("candidates").materialized(),
      (db) =>
        db
          .selectFrom("workflow_status as w")
          .select(["w.workflow_uuid", "w.owner_xid"])
          .where(orphaned(p.applicationName))
          .where((eb) => eb.or([eb("w.queue_name", "is", null), eb("w.queue_name", "=", internalQueueName)]))
          .where((eb) => eb("w.application_version", "=", eb.fn.any(textArrayOfJson(p.servedVersionsJson))))
          // The live leases serving the row's version, ranked; the row is this lease's if its hash lands on its rank.
          .where((w) =>
            w.or([
              w.not(w.cast<boolean>(w.val(p.spread), "boolean")),
              w.exists(
                w
                  .selectFrom((db) =>
                    db
                      .selectFrom("peers as p")
                      .select((eb) => [
                        "p.lease_id",
                        eb(
                          eb.fn.agg<number>("row_number").over((ob) => ob.orderBy("p.lease_id")),
                          "-",
                          sql.lit(1),
                        ).as("rank"),
                        eb.fn.countAll<number>().over().as("size"),
                      ])
                      .where((eb) =>
                        eb.or([
                          eb("p.application_version", "=", w.ref("w.application_version")),
                          eb(w.ref("w.application_version"), "=", eb.fn.any("p.served_versions")),
                        ]),
                      )
                      .as("mine"),
                  )
                  .select(sql.lit(1).as("one"))
                  .where("mine.lease_id", "=", p.leaseID)
                  .where((eb) =>
                    eb(
                      eb.fn("mod", [
                        eb.fn("abs", [eb.cast(eb.fn("hashtext", [w.ref("w.workflow_uuid")]), "int8")]),
                        "mine.size",
                      ]),
                      "=",
                      eb.ref("mine.rank"),
                    ),
                  ),
              ),
            ]),
          ),
    )
    .with("orphans", () => lockedIfUnchanged)
    .with("claimed", (db) =>
      db
        .updateTable("workflow_status as w")
        .from("orphans as o")
        .set((eb) => ({
          owner_xid: p.token,
          executor_id: p.executorID,
          recovery_attempts: eb("w.recovery_attempts", "+", sql.lit(1)),
          updated_at: p.now,
          application_name: eb.fn.coalesce("w.application_name", eb.val(p.applicationName)),
        }))
        .whereRef("w.workflow_uuid", "=", "o.workflow_uuid")
        .returningAll("w"),
    )
    .selectFrom("claimed as c")
    .leftJoin("workflow_input as i", "i.workflow_uuid", "c.workflow_uuid")
    .selectAll("c")
    .select((eb) => eb.fn.coalesce("i.inputs", "c.inputs").as("inputs"))
    .orderBy("c.created_at"),
);

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
export async function listExecutorLeases(on: Queryable, applicationName?: string): Promise<ExecutorLeaseRecord[]> {
  const rows = await on.db
    .selectFrom("durably_executor_leases as l")
    .selectAll("l")
    .select((eb) => [
      // served_versions arrives as JSON: the pool runs without fetching array types (see text-array.ts).
      eb.fn<string[]>("to_json", ["l.served_versions"]).as("served"),
      eb(eb("l.renewed_at", "+", milliseconds(eb.ref("l.lapse_ms"))), "<", clockTimestamp)
        .$castTo<boolean>()
        .as("overdue"),
      eb
        .selectFrom("workflow_status as w")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("w.status", "=", statusLiteral("PENDING"))
        .where((eb) => eb(leaseOf(eb.ref("w.owner_xid")), "=", eb.ref("l.lease_id")))
        .$asScalar()
        .as("owned"),
    ])
    .$if(applicationName !== undefined, (q) => q.where("l.application_name", "=", applicationName!))
    .orderBy("l.started_at", "desc")
    .execute();
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
    state: row.ended_reason ?? (row.overdue ? "lapsed" : "live"),
    workflowsOwned: Number(row.owned),
  }));
}
