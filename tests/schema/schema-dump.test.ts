// schema/schema.sql must be what the migrations build today, so a schema change shows up in review.
import { readFile } from "node:fs/promises";
import { assertPremise, skipForMissingPremise } from "@durably/testing";
import { expect, it } from "vitest";
import { dumpFreshSchema, pgDumpUnavailable } from "../support/dump-schema.js";

// Skipped, saying why, without pg_dump; under CI=true (.ci/run installs it) it fails instead.
const noPgDump = pgDumpUnavailable();

it.skipIf(skipForMissingPremise("the schema dump test", noPgDump))(
  "schema/schema.sql matches a fresh install",
  async () => {
    assertPremise(noPgDump);
    const committed = await readFile(new URL("../../schema/schema.sql", import.meta.url), "utf8").catch(() => "");
    expect(
      await dumpFreshSchema(),
      "schema/schema.sql is out of date: run pnpm schema:dump and commit the result",
    ).toBe(committed);
  },
);
