// Records the application versions that have launched, as DBOS does, so tools can list them.
import type { SystemDatabase } from "../system-database.js";

/**
 * Upserts this application's version; a no-op when it is already recorded. A row of this version
 * that no application owns (written before application_name existed) is claimed in place, as
 * DBOS 5.3.0's launch does, so DBOS's tools list it as this application's.
 */
export async function recordApplicationVersion(
  sysdb: SystemDatabase,
  applicationName: string,
  versionName: string,
  now: number,
): Promise<void> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  // One statement: claim the unowned row, else insert; version_name is still globally unique
  // in DBOS's schema, so the insert conflicts on it alone.
  await sql`
    with claimed as (
      update ${s}.application_versions set application_name = ${applicationName}
      where version_name = ${versionName} and application_name is null
      returning version_id
    )
    insert into ${s}.application_versions
      (version_id, version_name, version_timestamp, created_at, application_name)
    select gen_random_uuid()::text, ${versionName}, ${now}, ${now}, ${applicationName}
    where not exists (select 1 from claimed)
    on conflict do nothing`;
}
