// The application versions of a database, side by side with what serves them: DBOS's
// application_versions rows, the live executor leases of each version and the PENDING and ENQUEUED
// workflows waiting on it. Read by listApplicationVersions and `durably version list`.
import { sql } from "kysely";
import type { Queryable } from "../queryable.js";
import { leaseIsLive } from "./live-lease.js";
import { statusLiteral } from "./workflow-status-name.js";

export interface VersionOverviewRecord {
  /** application_versions.version_id; null for a version that only workflow rows or leases name. */
  readonly versionID: string | null;
  readonly versionName: string;
  readonly applicationName: string | null;
  /** version_timestamp (ms): the highest marks DBOS's "latest" version. */
  readonly timestamp: number | null;
  /** created_at (ms): when a process of this version first launched. */
  readonly createdAt: number | null;
  /** Live executor leases that serve this version. */
  readonly liveExecutors: number;
  readonly pending: number;
  readonly enqueued: number;
}

/**
 * Every version of `applicationName` (all applications when null) that application_versions
 * records, a live lease serves, or a PENDING or ENQUEUED workflow carries; newest first. Workflow
 * rows of no application (written by a client without one) count for every application.
 *
 * @example
 * for (const v of await listVersionOverview(sysdb, "shop")) console.log(v.versionName, v.pending);
 */
export async function listVersionOverview(
  on: Queryable,
  applicationName: string | null,
): Promise<VersionOverviewRecord[]> {
  const app = applicationName;
  const rows = await on.db
    // The live leases and the versions each serves: its own and its compatibleVersions
    // (served_versions, 0005; empty on a lease registered before it).
    .with("live", (db) =>
      db
        .selectFrom("durably_executor_leases as l")
        .select((eb) =>
          eb
            .fn<string>("unnest", [
              eb
                .case()
                .when(eb.fn("cardinality", ["l.served_versions"]), "=", eb.lit(0))
                // A `sql` fragment: Kysely has no ARRAY[…] constructor.
                .then(sql<string[]>`array[${eb.ref("l.application_version")}]`)
                .else(eb.ref("l.served_versions"))
                .end(),
            ])
            .as("served"),
        )
        .where(leaseIsLive)
        .$call((q) => (app === null ? q : q.where("l.application_name", "=", app))),
    )
    .with("waiting", (db) =>
      db
        .selectFrom("workflow_status as w")
        .select((eb) => [
          eb.ref("w.application_version").$notNull().as("version_name"),
          eb.fn.countAll().filterWhere("w.status", "=", statusLiteral("PENDING")).as("pending"),
          eb.fn.countAll().filterWhere("w.status", "=", statusLiteral("ENQUEUED")).as("enqueued"),
        ])
        .where("w.status", "in", [statusLiteral("PENDING"), statusLiteral("ENQUEUED")])
        .where("w.application_version", "is not", null)
        .$call((q) =>
          app === null
            ? q
            : q.where((eb) => eb.or([eb("w.application_name", "=", app), eb("w.application_name", "is", null)])),
        )
        .groupBy("w.application_version"),
    )
    .with("recorded", (db) =>
      db
        .selectFrom("application_versions as v")
        .selectAll("v")
        .$call((q) =>
          app === null
            ? q
            : q.where((eb) => eb.or([eb("v.application_name", "=", app), eb("v.application_name", "is", null)])),
        ),
    )
    .with("names", (db) =>
      db
        .selectFrom("recorded")
        .select("version_name")
        .union(db.selectFrom("waiting").select("version_name"))
        .union(db.selectFrom("live").select("served as version_name")),
    )
    .selectFrom("names as n")
    .leftJoin("recorded as r", "r.version_name", "n.version_name")
    .leftJoin("waiting as c", "c.version_name", "n.version_name")
    .select((eb) => [
      "n.version_name",
      "r.version_id",
      "r.application_name",
      "r.version_timestamp",
      "r.created_at",
      eb.fn.coalesce("c.pending", eb.lit(0)).as("pending"),
      eb.fn.coalesce("c.enqueued", eb.lit(0)).as("enqueued"),
      eb
        .selectFrom("live as l")
        .select((eb) => eb.fn.countAll().as("n"))
        .whereRef("l.served", "=", "n.version_name")
        .$asScalar()
        .as("live_executors"),
    ])
    .orderBy("r.version_timestamp", (ob) => ob.desc().nullsFirst())
    .orderBy("n.version_name")
    .execute();
  return rows.map((row) => ({
    versionID: row.version_id,
    versionName: row.version_name,
    applicationName: row.application_name ?? applicationName,
    timestamp: row.version_timestamp === null ? null : Number(row.version_timestamp),
    createdAt: row.created_at === null ? null : Number(row.created_at),
    liveExecutors: Number(row.live_executors),
    pending: Number(row.pending),
    enqueued: Number(row.enqueued),
  }));
}
