// Add-ons reach a context's runtime only through @durably/core/extension's ExtensionHost: the
// runtime, the run and the old internal side door appear in no published type or export.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const core = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "packages", "core");

test("DBOSContext's published type has no runtime, run or inStep, and core exports no ./internal", () => {
  const declaration = readFileSync(join(core, "dist", "dbos-context.d.ts"), "utf8"); // premise: core is built
  expect(declaration).toContain("class DBOSContext");
  expect(declaration).not.toMatch(/\bruntime\b|\brun\b:|\binStep\b/);
  const exports = (JSON.parse(readFileSync(join(core, "package.json"), "utf8")) as { exports: Record<string, unknown> })
    .exports;
  expect(Object.keys(exports)).toEqual([".", "./extension", "./package.json"]);
});

test(
  "sysdb's root exports connection, migrations, errors and " + "types; its statements are on the ./queries subpath",
  async () => {
    const root = await import("@durably/sysdb");
    const queries = await import("@durably/sysdb/queries");
    for (const name of ["openSystemDatabase", "migrateSystemDatabase", "DurablyError", "classifyError"])
      expect(root).toHaveProperty(name);
    for (const name of ["insertWorkflow", "dequeueWorkflows", "renewLease", "listWorkflows"]) {
      expect(queries).toHaveProperty(name);
      expect(root).not.toHaveProperty(name);
    }
  },
);
