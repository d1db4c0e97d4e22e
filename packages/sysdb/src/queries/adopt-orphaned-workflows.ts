// Adoption: the PENDING and ENQUEUED workflows of an ended executor lease (executor-leases.ts) go to
// the live processes, each row locked only if its owner token is still the one judged orphaned.
import { expressionBuilder, sql, type Expression, type SqlBool } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";
import type { SystemSchema, WorkflowStatusTable } from "../tables.js";
import { enqueuedChannel } from "./channels.js";
import { clockTimestamp, leaseOf, ownerTokenOf } from "./executor-leases.js";
import { milliseconds } from "./milliseconds.js";
import { textArrayOfJson } from "./text-array.js";
import { internalQueueName, toWorkflowRecord, type WorkflowRecord } from "./workflow-record.js";
import { statusLiteral } from "./workflow-status-name.js";

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
