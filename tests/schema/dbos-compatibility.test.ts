// Proves durably builds the same system schema as DBOS 5.3.0's own migrations, object by object.
import { createTestDatabase } from "@durably/testing";
import type { TestDatabase } from "@durably/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffCatalogs, formatDifferences } from "../support/diff-catalogs.js";
import { executeSql } from "../support/execute-sql.js";
import { migrateWithDbos } from "../support/migrate-with-dbos.js";
import { migrateWithDurably } from "../support/migrate-with-durably.js";
import { readCatalog } from "../support/read-catalog.js";
import type { Catalog } from "../support/read-catalog.js";
import { deliberateDifferences } from "./deliberate-differences.js";

const expected = deliberateDifferences.map((d) => d.difference);
const funnySchema = "F8nny_sCHem@-n@m3";

/** The trigger function with one word of its body changed. */
const notifyOnOtherChannel = `
  CREATE OR REPLACE FUNCTION dbos.notifications_function() RETURNS trigger LANGUAGE plpgsql
  SET search_path TO 'pg_catalog', 'pg_temp' AS $$
    DECLARE
        payload text := NEW.destination_uuid || '::' || NEW.topic;
    BEGIN
        PERFORM pg_notify('durably_notifications_channel', payload);
        RETURN NEW;
    END;
  $$`;

describe("durably's system schema against DBOS 5.3.0's", () => {
  let durablyDb: TestDatabase;
  let dbosDb: TestDatabase;
  let dbosCatalog: Catalog;

  beforeAll(async () => {
    [durablyDb, dbosDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    await Promise.all([migrateWithDurably(durablyDb.url), migrateWithDbos(dbosDb.url)]);
    dbosCatalog = await readCatalog(dbosDb.url, "dbos");
  });
  afterAll(async () => {
    await Promise.all([durablyDb?.drop(), dbosDb?.drop()]);
  });

  it("differs only where durably means to", async () => {
    const durablyCatalog = await readCatalog(durablyDb.url, "dbos");
    const differences = diffCatalogs(durablyCatalog, dbosCatalog);
    expect(differences, formatDifferences(differences)).toEqual(expected);
  });

  it("compares enough to be meaningful", () => {
    // An empty or half-read catalog would compare equal to anything: these are DBOS 5.3.0's counts.
    const counts: Record<string, number> = {};
    for (const entry of dbosCatalog) counts[entry.kind] = (counts[entry.kind] ?? 0) + 1;
    expect(counts).toEqual({
      table: 13,
      column: 120,
      constraint: 20,
      index: 38,
      trigger: 1,
      function: 3,
      "function body": 3,
      rows: 1,
    });
  });

  it("records DBOS migration level 123 in both", async () => {
    const durablyCatalog = await readCatalog(durablyDb.url, "dbos");
    const level = (catalog: Catalog) =>
      catalog.find((e) => e.kind === "rows" && e.name === "dbos_migrations")?.definition;
    expect(level(durablyCatalog)).toBe("versions 123");
    expect(level(dbosCatalog)).toBe("versions 123");
  });

  it("catches a changed column default", async () => {
    const differences = await diffAfter("ALTER TABLE dbos.workflow_status ALTER COLUMN priority DROP DEFAULT");
    expect(differences, formatDifferences(differences)).toEqual(
      [
        ...expected,
        "column workflow_status.priority: durably has `#24 integer not null`, DBOS has `#24 integer not " +
          "null default 0`",
      ].sort(),
    );
  });

  it.each([
    ["index workflow_status.idx_workflow_status_pending: only in DBOS", "DROP INDEX dbos.idx_workflow_status_pending"],
    [
      "column workflow_status.class_name: durably has",
      "ALTER TABLE dbos.workflow_status ALTER COLUMN class_name TYPE varchar(256)",
    ],
    ["function body notifications_function(): durably has", notifyOnOtherChannel],
  ])("catches %s…", async (difference, statement) => {
    const differences = await diffAfter(statement);
    const unexpected = differences.filter((d) => !expected.includes(d));
    expect(unexpected, formatDifferences(differences)).toHaveLength(1);
    expect(unexpected[0]).toContain(difference);
  });

  it("matches in a schema whose name needs quoting", async () => {
    await Promise.all([migrateWithDurably(durablyDb.url, funnySchema), migrateWithDbos(dbosDb.url, funnySchema)]);
    const [durablyCatalog, funnyDbosCatalog] = await Promise.all([
      readCatalog(durablyDb.url, funnySchema),
      readCatalog(dbosDb.url, funnySchema),
    ]);
    const differences = diffCatalogs(durablyCatalog, funnyDbosCatalog);
    expect(differences, formatDifferences(differences)).toEqual(expected);
    // And the schema's name was the only thing normalised: it is the same catalog as under "dbos".
    expect(diffCatalogs(funnyDbosCatalog, dbosCatalog, ["custom schema", "dbos schema"])).toEqual([]);
  });

  /** Migrates a scratch database with durably, runs `statement` on it and diffs it against DBOS's. */
  async function diffAfter(statement: string): Promise<string[]> {
    const scratch = await createTestDatabase();
    try {
      await migrateWithDurably(scratch.url);
      await executeSql(scratch.url, statement);
      return diffCatalogs(await readCatalog(scratch.url, "dbos"), dbosCatalog);
    } finally {
      await scratch.drop();
    }
  }
});
