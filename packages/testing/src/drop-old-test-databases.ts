// Test runs that were killed leave their databases behind; later runs collect the old ones.
import type { Sql } from "postgres";
import { TEST_DATABASE_PREFIX, testDatabaseCreatedAt } from "./test-database-name.js";

/** Drops test databases created more than `maxAgeMs` ago that nothing is connected to. Never throws. */
export async function dropOldTestDatabases(admin: Sql, maxAgeMs = 60 * 60 * 1000, now = Date.now()): Promise<string[]> {
  const dropped: string[] = [];
  const rows = await admin<{ datname: string }[]>`
    select datname from pg_database where starts_with(datname, ${TEST_DATABASE_PREFIX})`.catch(() => []);
  for (const { datname } of rows) {
    const createdAt = testDatabaseCreatedAt(datname);
    if (createdAt === undefined || now - createdAt < maxAgeMs) continue;
    // Without FORCE: a database still in use after an hour belongs to someone; another process may be dropping it too.
    await admin`drop database if exists ${admin(datname)}`.then(
      () => dropped.push(datname),
      () => {},
    );
  }
  return dropped;
}
