// kysely and postgres are optional peers: an app brings the one its code uses. An app on postgres.js
// alone must be able to load the package and run transactions without kysely being resolvable.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";

const db = useTestDatabase({ template: migratedTemplate });

test("without kysely, the package loads and postgresDatasource runs a transaction step", async () => {
  const script = fileURLToPath(new URL("./support/without-kysely.mjs", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script, db.url], { timeout: 60_000 });
  // kyselyMissing is the premise: in that process "kysely" really could not be imported.
  expect(JSON.parse(stdout)).toEqual({ answer: 42, kyselyMissing: "ERR_MODULE_NOT_FOUND" });
});
