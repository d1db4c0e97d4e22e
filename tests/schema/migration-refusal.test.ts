// durably refuses, changing nothing, a system database that a newer DBOS or a newer durably migrated.
import { isDurablyError } from "@durably/sysdb";
import { createTestDatabase } from "@durably/testing";
import type { TestDatabase } from "@durably/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { diffCatalogs, formatDifferences } from "../support/diff-catalogs.js";
import { executeSql } from "../support/execute-sql.js";
import { migrateWithDbos } from "../support/migrate-with-dbos.js";
import { migrateWithDurably } from "../support/migrate-with-durably.js";
import { readCatalog } from "../support/read-catalog.js";

describe("migrating a database from the future", () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await database?.drop();
  });

  it("refuses DBOS migration level 124", async () => {
    await migrateWithDbos(database.url);
    await executeSql(database.url, "UPDATE dbos.dbos_migrations SET version = 124");

    await expectRefusalWithoutChange(/newer DBOS \(migration level 124/);
  });

  it("refuses durably schema version 999", async () => {
    await migrateWithDurably(database.url);
    await executeSql(
      database.url,
      "INSERT INTO dbos.durably_migrations (version, name) VALUES (999, 'from_the_future')",
    );

    await expectRefusalWithoutChange(/newer durably \(schema version 999/);
  });

  async function expectRefusalWithoutChange(message: RegExp): Promise<void> {
    const before = await readCatalog(database.url, "dbos");
    const error = await migrateWithDurably(database.url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDurablyError(error, "MIGRATION_REFUSED"), `expected MIGRATION_REFUSED, got ${String(error)}`).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain("Nothing was changed");
    const differences = diffCatalogs(await readCatalog(database.url, "dbos"), before, ["after", "before"]);
    expect(differences, formatDifferences(differences)).toEqual([]);
  }
});
