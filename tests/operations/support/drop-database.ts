// Dropping a database a test created next to its own (e.g. by `durably migrate`).
import { openSystemDatabase, quoteIdentifier } from "@durably/sysdb";

export async function dropTestDatabaseNamed(anyUrlOnServer: string, name: string): Promise<void> {
  const admin = new URL(anyUrlOnServer);
  admin.pathname = "/postgres";
  const sysdb = openSystemDatabase({ url: admin.toString(), poolSize: 1 });
  try {
    await sysdb.sql.unsafe(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await sysdb.close();
  }
}
