// Executor leases (migration 0004): each launched process renews a lease on the database clock;
// the live processes of an application adopt the PENDING workflows of a lease that lapsed or was
// released (adopt-orphaned-workflows.ts). A workflow names its lease by its owner token,
// "<lease_id>.<random>" (ownerTokenOf).
//
// Built with Kysely's builder; the one `sql` fragment is the interval literal (milliseconds.ts).
import { expressionBuilder, sql, type Expression } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";
import { newOwnerToken } from "../short-id.js";
import type { SystemSchema } from "../tables.js";
import { milliseconds } from "./milliseconds.js";
import { textArray } from "./text-array.js";
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
export const clockTimestamp = eb.fn<Date>("clock_timestamp");

/** The lease an owner token names: the part before the dot. */
export function leaseOf(ownerToken: Expression<string | null>): Expression<string> {
  return eb.fn<string>("split_part", [ownerToken, sql.lit("."), sql.lit(1)]);
}

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
