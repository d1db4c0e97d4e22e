// durably's side of every schema comparison: open the system database, migrate, close.
import { migrateSystemDatabase, openSystemDatabase } from "@durably/sysdb";
import type { MigrationReport } from "@durably/sysdb";

/** Runs durably's migrations on `url`, into `schema`, and returns what they did. */
export async function migrateWithDurably(url: string, schema = "dbos"): Promise<MigrationReport> {
  const sysdb = openSystemDatabase({ url, schema, poolSize: 1 });
  try {
    return await migrateSystemDatabase(sysdb);
  } finally {
    await sysdb.close();
  }
}
