// Records the application versions that have launched, as DBOS does, so tools can list them.
import { sql } from "kysely";
import type { Queryable } from "../queryable.js";

/**
 * Upserts this application's version; a no-op when it is already recorded. A row of this version
 * that no application owns (written before application_name existed) is claimed in place, as
 * DBOS 5.3.0's launch does, so DBOS's tools list it as this application's. Returns the application
 * that owns the version afterwards: another one when the name was taken (version names are unique
 * across applications in DBOS's schema, and DBOS's launch refuses such a name).
 */
export async function recordApplicationVersion(
  on: Queryable,
  applicationName: string,
  versionName: string,
  now: number,
): Promise<string | null> {
  // One statement: claim the unowned row, else insert; version_name is still globally unique
  // in DBOS's schema, so the insert conflicts on it alone. The last select sees the row as it was
  // before this statement, which is the owner whenever neither write happened.
  const row = await on.db
    .with("claimed", (db) =>
      db
        .updateTable("application_versions")
        .set({ application_name: applicationName })
        .where("version_name", "=", versionName)
        .where("application_name", "is", null)
        .returning("application_name"),
    )
    .with("inserted", (db) =>
      db
        .insertInto("application_versions")
        .columns(["version_id", "version_name", "version_timestamp", "created_at", "application_name"])
        .expression(
          db
            .selectNoFrom((eb) => [
              eb.cast<string>(eb.fn("gen_random_uuid"), "text").as("version_id"),
              eb.val(versionName).as("version_name"),
              eb.val(now).as("version_timestamp"),
              eb.val(now).as("created_at"),
              eb.val(applicationName).as("application_name"),
            ])
            .where((eb) => eb.not(eb.exists(eb.selectFrom("claimed").select(sql.lit(1).as("one"))))),
        )
        .onConflict((oc) => oc.doNothing())
        .returning("application_name"),
    )
    .selectNoFrom((eb) =>
      eb.fn
        .coalesce(
          eb.selectFrom("claimed").select("application_name").$asScalar(),
          eb.selectFrom("inserted").select("application_name").$asScalar(),
          eb
            .selectFrom("application_versions")
            .select("application_name")
            .where("version_name", "=", versionName)
            .$asScalar(),
        )
        .as("owner"),
    )
    .executeTakeFirst();
  return row?.owner ?? null;
}
