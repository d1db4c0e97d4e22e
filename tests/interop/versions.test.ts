// Application versions shared with DBOS 5.3.0 (dbos.application_versions): like DBOS's own
// launch, durably's claims a row of its version that no application owns yet (a row written
// before application_name existed), so DBOS's client lists the version as the application's.
import { createDBOSContext, launch, shutdown } from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { createDBOSClient } from "./support/dbos-client.js";
import { withRawSql } from "./support/raw-sql.js";

const db = useTestDatabase({ template: migratedTemplate });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

test("launch claims an unowned row of its version, and DBOS's client lists it as the application's", async () => {
  await withRawSql(
    db.url,
    (sql) => sql`
    insert into dbos.application_versions (version_id, version_name, version_timestamp, created_at, application_name)
    values ('old-row', 'ver-unowned', 1, 1, null)`,
  );
  const ctx = createDBOSContext({
    appName: "interop-ver",
    systemDatabaseUrl: db.url,
    applicationVersion: "ver-unowned",
    logger: quiet,
  });
  await launch(ctx);
  const dbos = await createDBOSClient(db.url, "interop-ver");
  try {
    const versions = await dbos.listApplicationVersions();
    expect(versions.map((v) => [v.versionName, v.applicationName])).toEqual([["ver-unowned", "interop-ver"]]);
  } finally {
    await dbos.destroy();
    await shutdown(ctx);
  }
});
