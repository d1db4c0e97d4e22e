// Records the application versions that have launched, as DBOS does, so tools can list them.
import type { SystemDatabase } from "../system-database.js";

/** Upserts this application's version; a no-op when it is already recorded. */
export async function recordApplicationVersion(
  sysdb: SystemDatabase,
  applicationName: string,
  versionName: string,
  now: number,
): Promise<void> {
  const { sql } = sysdb;
  // version_name is still globally unique in DBOS's schema, so conflict on it alone.
  await sql`
    insert into ${sql(sysdb.schema)}.application_versions
      (version_id, version_name, version_timestamp, created_at, application_name)
    values (gen_random_uuid()::text, ${versionName}, ${now}, ${now}, ${applicationName})
    on conflict do nothing`;
}
