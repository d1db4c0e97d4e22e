// schema/schema.sql must be what the migrations build today, so a schema change shows up in review.
import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { dumpFreshSchema } from "../support/dump-schema.js";

it("schema/schema.sql matches a fresh install", async () => {
  const committed = await readFile(new URL("../../schema/schema.sql", import.meta.url), "utf8").catch(() => "");
  expect(await dumpFreshSchema(), "schema/schema.sql is out of date: run pnpm schema:dump and commit the result").toBe(
    committed,
  );
});
