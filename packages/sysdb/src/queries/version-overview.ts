// The application versions of a database, side by side with what serves them: DBOS's
// application_versions rows, the live executor leases of each version and the PENDING and ENQUEUED
// workflows waiting on it. Read by listApplicationVersions and `durably version list`.
import type { SystemDatabase } from "../system-database.js";

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
 * The live leases (renewed within their lapse, not ended) and the versions each serves: its own
 * and its compatibleVersions (served_versions, 0005; empty on a lease registered before it).
 */
function servingLeases(sysdb: SystemDatabase, applicationName: string | null) {
  const { sql } = sysdb;
  return sql`
    select unnest(case when cardinality(l.served_versions) = 0 then array[l.application_version]
                       else l.served_versions end) as served
    from ${sql(sysdb.schema)}.durably_executor_leases l
    where l.ended_at is null and l.renewed_at + l.lapse_ms * interval '1 millisecond' >= clock_timestamp()
      and (${applicationName}::text is null or l.application_name = ${applicationName})`;
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
  sysdb: SystemDatabase,
  applicationName: string | null,
): Promise<VersionOverviewRecord[]> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const rows = await sql`
    with live as (${servingLeases(sysdb, applicationName)}), waiting as (
      select w.application_version as version_name,
             count(*) filter (where w.status = 'PENDING') as pending,
             count(*) filter (where w.status = 'ENQUEUED') as enqueued
      from ${s}.workflow_status w
      where w.status in ('PENDING', 'ENQUEUED') and w.application_version is not null
        and (${applicationName}::text is null or w.application_name = ${applicationName} or w.application_name is null)
      group by w.application_version
    ), recorded as (
      select v.* from ${s}.application_versions v
      where ${applicationName}::text is null or v.application_name = ${applicationName} or v.application_name is null
    ), names as (
      select version_name from recorded union select version_name from waiting union select served from live
    )
    select n.version_name, r.version_id, r.application_name, r.version_timestamp, r.created_at,
           coalesce(c.pending, 0) as pending, coalesce(c.enqueued, 0) as enqueued,
           (select count(*) from live l where l.served = n.version_name) as live_executors
    from names n
    left join recorded r on r.version_name = n.version_name
    left join waiting c on c.version_name = n.version_name
    order by r.version_timestamp desc nulls first, n.version_name`;
  return rows.map((row) => ({
    versionID: row.version_id as string | null,
    versionName: row.version_name as string,
    applicationName: (row.application_name as string | null) ?? applicationName,
    timestamp: row.version_timestamp === null ? null : Number(row.version_timestamp),
    createdAt: row.created_at === null ? null : Number(row.created_at),
    liveExecutors: Number(row.live_executors),
    pending: Number(row.pending),
    enqueued: Number(row.enqueued),
  }));
}
