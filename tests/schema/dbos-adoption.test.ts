// durably accepts a system database that DBOS 5.3.0 migrated: it adopts it, adding its ledger and
// applying its own later migrations.
import { useTestDatabase } from "@durably/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { diffCatalogs, formatDifferences } from "../support/diff-catalogs.js";
import { executeSql } from "../support/execute-sql.js";
import { migrateWithDbos } from "../support/migrate-with-dbos.js";
import { migrateWithDurably } from "../support/migrate-with-durably.js";
import { readCatalog } from "../support/read-catalog.js";
import { deliberateDifferences } from "./deliberate-differences.js";

const database = useTestDatabase();

describe("migrating a database that DBOS 5.3.0 built", () => {
  beforeAll(async () => {
    await migrateWithDbos(database.url);
    // Messages DBOS stored before the upgrade: three waiting (two sharing a timestamp), one consumed.
    await executeSql(
      database.url,
      `
      insert into dbos.workflow_status (workflow_uuid, status, name) values ('inbox', 'PENDING', 'inbox');
      insert into dbos.notifications
        (message_uuid, destination_uuid, topic, message, created_at_epoch_ms, consumed) values
        ('m-c', 'inbox', 't', 'third', 2000, false),
        ('m-b', 'inbox', 't', 'second', 1000, false),
        ('m-a', 'inbox', 't', 'first', 1000, false),
        ('m-0', 'inbox', 't', 'old', 500, true);`,
    );
  });

  it("adopts it, adding durably's ledger and its later migrations", async () => {
    const before = await readCatalog(database.url, "dbos");

    const report = await migrateWithDurably(database.url);

    expect(report).toEqual({ applied: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], adoptedFromDbos: true });
    const after = await readCatalog(database.url, "dbos");
    const differences = diffCatalogs(after, before);
    expect(differences, formatDifferences(differences)).toEqual(deliberateDifferences.map((d) => d.difference));
    // The ledger records that DBOS's schema is durably's migration 1, and DBOS's counter is untouched.
    const rows = (table: string) => after.find((e) => e.kind === "rows" && e.name === table)?.definition;
    expect(rows("durably_migrations")).toBe("versions 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11");
    expect(rows("dbos_migrations")).toBe("versions 123");
  });

  it(
    "numbers the messages waiting at the upgrade in the order recv took them before, and later sends after " + "them",
    async () => {
      const sql = postgres(database.url, { max: 1, onnotice: () => undefined });
      try {
        await sql`insert into dbos.notifications (destination_uuid, topic, message, created_at_epoch_ms)
          values ('inbox', 't', 'fourth', 0)`;
        const rows = await sql`select message, durably_send_order::int as n from dbos.notifications
            order by durably_send_order nulls first`;
        expect(rows).toEqual([
          { message: "old", n: null },
          { message: "first", n: 1 },
          { message: "second", n: 2 },
          { message: "third", n: 3 },
          { message: "fourth", n: 4 },
        ]);
      } finally {
        await sql.end();
      }
    },
  );

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
