// Records the application versions that have launched, as DBOS does, so tools can list them.
import type { SystemDatabase } from "../system-database.js";

/**
 * Upserts this application's version; a no-op when it is already recorded. A row of this version
 * that no application owns (written before application_name existed) is claimed in place, as
 * DBOS 5.3.0's launch does, so DBOS's tools list it as this application's. Returns the application
 * that owns the version afterwards: another one when the name was taken (version names are unique
 * across applications in DBOS's schema, and DBOS's launch refuses such a name).
 */
export async function recordApplicationVersion(
  sysdb: SystemDatabase,
  applicationName: string,
  versionName: string,
  now: number,
): Promise<string | null> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  // One statement: claim the unowned row, else insert; version_name is still globally unique
  // in DBOS's schema, so the insert conflicts on it alone. The last select sees the row as it was
  // before this statement, which is the owner whenever neither write happened.
  const [row] = await sql<{ owner: string | null }[]>`
    with claimed as (
      update ${s}.application_versions set application_name = ${applicationName}
      where version_name = ${versionName} and application_name is null
      returning application_name
    ), inserted as (
      insert into ${s}.application_versions
        (version_id, version_name, version_timestamp, created_at, application_name)
      select gen_random_uuid()::text, ${versionName}, ${now}, ${now}, ${applicationName}
      where not exists (select 1 from claimed)
      on conflict do nothing
      returning application_name
    )
    select coalesce(
      (select application_name from claimed),
      (select application_name from inserted),
      (select application_name from ${s}.application_versions where version_name = ${versionName})
    ) as owner`;
  return row?.owner ?? null;
}
