// Workflows no live worker will run: PENDING or ENQUEUED rows of an application version that no
// live executor lease serves (as its own version or a compatible one). Counted for the launch
// warning and `durably version list`; moved to a new version where the user opted in.
import type { Expression, ExpressionBuilder, QueryCreator, SqlBool } from "kysely";
import type { Queryable } from "../queryable.js";
import type { SystemSchema, WorkflowStatusTable } from "../tables.js";
import { enqueuedChannel } from "./channels.js";
import { leaseIsLive } from "./live-lease.js";
import { requeueOnNewVersion } from "./requeue-on-new-version.js";
import { statusLiteral } from "./workflow-status-name.js";

export interface StrandedVersion {
  readonly applicationVersion: string;
  /** PENDING rows of this version (their process is gone, or serves other versions). */
  readonly pending: number;
  /** ENQUEUED rows of this version: no worker may dequeue them. */
  readonly enqueued: number;
}

/** Live leases of the application (renewed within their lapse), with what they serve. */
function liveLeases(db: QueryCreator<SystemSchema>, applicationName: string) {
  return db
    .selectFrom("durably_executor_leases as l")
    .select(["l.application_version", "l.served_versions"])
    .where("l.application_name", "=", applicationName)
    .where(leaseIsLive);
}

type WithLive = SystemSchema & { live: { application_version: string; served_versions: string[] } };

/**
 * The PENDING and ENQUEUED rows `w` of `applicationName` (or of no application) whose version no
 * live lease serves (`live`: the CTE of liveLeases).
 */
function stranded(
  eb: ExpressionBuilder<WithLive & { w: WorkflowStatusTable }, "w">,
  applicationName: string,
): Expression<SqlBool> {
  return eb.and([
    eb("w.status", "in", [statusLiteral("PENDING"), statusLiteral("ENQUEUED")]),
    eb("w.application_version", "is not", null),
    eb.or([eb("w.application_name", "=", applicationName), eb("w.application_name", "is", null)]),
    eb.not(
      eb.exists(
        eb
          .selectFrom("live as l")
          .select(eb.lit(1).as("one"))
          .where((eb) =>
            eb.or([
              eb("l.application_version", "=", eb.ref("w.application_version")),
              eb("w.application_version", "=", eb.fn.any("l.served_versions")),
            ]),
          ),
      ),
    ),
  ]);
}

/**
 * Counts, by version, the PENDING and ENQUEUED workflows of `applicationName` whose version no live
 * worker serves. Workers of DBOS's SDKs hold no lease, so their versions count as unserved here.
 *
 * @example
 * for (const v of await countStrandedWorkflows(sysdb, "shop")) console.log(v.applicationVersion, v.pending);
 */
export async function countStrandedWorkflows(on: Queryable, applicationName: string): Promise<StrandedVersion[]> {
  const rows = await on.db
    .with("live", (db) => liveLeases(db, applicationName))
    .selectFrom("workflow_status as w")
    .select((eb) => [
      eb.ref("w.application_version").$notNull().as("application_version"),
      eb.fn.countAll().filterWhere("w.status", "=", statusLiteral("PENDING")).as("pending"),
      eb.fn.countAll().filterWhere("w.status", "=", statusLiteral("ENQUEUED")).as("enqueued"),
    ])
    .where((eb) => stranded(eb, applicationName))
    .groupBy("w.application_version")
    .orderBy("w.application_version")
    .execute();
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
  on: Queryable,
  u: StrandedUpgrade,
): Promise<Array<{ workflowID: string; fromVersion: string }>> {
  const rows = await on.db
    .with("live", (db) => liveLeases(db, u.applicationName))
    .with("stranded", (db) =>
      db
        .selectFrom("workflow_status as w")
        .select((eb) => [
          "w.workflow_uuid",
          "w.status",
          "w.owner_xid",
          eb.ref("w.application_version").$notNull().as("from_version"),
        ])
        .where((eb) => stranded(eb, u.applicationName))
        .where("w.application_version", "<>", u.toVersion)
        .where((eb) =>
          eb.or([
            eb("w.status", "=", statusLiteral("ENQUEUED")),
            // A durably owner token (`lease.run`) whose lease ended: its process is gone.
            eb.and([
              eb(eb.fn("strpos", ["w.owner_xid", eb.val(".")]), ">", eb.lit(0)),
              eb.not(
                eb.exists(
                  eb
                    .selectFrom("durably_executor_leases as o")
                    .select(eb.lit(1).as("one"))
                    .where("o.lease_id", "=", eb.fn<string>("split_part", ["w.owner_xid", eb.val("."), eb.lit(1)]))
                    .where("o.ended_at", "is", null),
                ),
              ),
            ]),
          ]),
        )
        .forUpdate("w")
        .skipLocked(),
    )
    .with("moved", (db) =>
      db
        .updateTable("workflow_status as w")
        .from("stranded as s")
        .set((eb) => requeueOnNewVersion(eb, eb.ref("w.status").$notNull(), u.toVersion, u.now))
        // Only if unchanged since the snapshot: a live process may have claimed the row meanwhile.
        .whereRef("w.workflow_uuid", "=", "s.workflow_uuid")
        .whereRef("w.status", "=", "s.status")
        .whereRef("w.owner_xid", "is not distinct from", "s.owner_xid")
        .returning(["w.workflow_uuid", "w.queue_name", "s.from_version"]),
    )
    .with("woken", (db) =>
      db
        .selectFrom((db) => db.selectFrom("moved").select("queue_name").distinct().as("q"))
        .select((eb) => eb.fn("pg_notify", [eb.val(enqueuedChannel), "q.queue_name"]).as("n")),
    )
    .selectFrom("moved")
    .select((eb) => [
      "workflow_uuid",
      "from_version",
      eb
        .selectFrom("woken")
        .select((eb) => eb.fn.countAll().as("n"))
        .$asScalar()
        .as("woken"),
    ])
    .execute();
  return rows.map((row) => ({ workflowID: row.workflow_uuid, fromVersion: row.from_version }));
}
