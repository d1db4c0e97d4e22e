// durably accepts a system database that DBOS 5.3.0 migrated: it adopts it, adding its ledger and
// applying its own later migrations.
import { useTestDatabase } from "@durably/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { diffCatalogs, formatDifferences } from "../support/diff-catalogs.js";
import { migrateWithDbos } from "../support/migrate-with-dbos.js";
import { migrateWithDurably } from "../support/migrate-with-durably.js";
import { readCatalog } from "../support/read-catalog.js";
import { deliberateDifferences } from "./deliberate-differences.js";

const database = useTestDatabase();

describe("migrating a database that DBOS 5.3.0 built", () => {
  beforeAll(async () => {
    await migrateWithDbos(database.url);
  });

  it("adopts it, adding durably's ledger and its later migrations", async () => {
    const before = await readCatalog(database.url, "dbos");

    const report = await migrateWithDurably(database.url);

    expect(report).toEqual({ applied: [2], adoptedFromDbos: true });
    const after = await readCatalog(database.url, "dbos");
    const differences = diffCatalogs(after, before);
    expect(differences, formatDifferences(differences)).toEqual(deliberateDifferences.map((d) => d.difference));
    // The ledger records that DBOS's schema is durably's migration 1, and DBOS's counter is untouched.
    const rows = (table: string) => after.find((e) => e.kind === "rows" && e.name === table)?.definition;
    expect(rows("durably_migrations")).toBe("versions 1, 2");
    expect(rows("dbos_migrations")).toBe("versions 123");
  });

  it("then does nothing on the next launch", async () => {
    const before = await readCatalog(database.url, "dbos");
    expect(await migrateWithDurably(database.url)).toEqual({ applied: [], adoptedFromDbos: false });
    expect(diffCatalogs(await readCatalog(database.url, "dbos"), before, ["after", "before"])).toEqual([]);
  });

  it("leaves a schema DBOS 5.3.0 accepts in turn", async () => {
    // DBOS re-running its own migrations on the adopted database must find nothing to do.
    const before = await readCatalog(database.url, "dbos");
    await migrateWithDbos(database.url);
    expect(diffCatalogs(await readCatalog(database.url, "dbos"), before, ["after", "before"])).toEqual([]);
  });
});
