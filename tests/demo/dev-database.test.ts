// `durably dev-db` and the demo agree on one development server and database, whichever folder of
// the project they run in: its files are in <workspace root>/.durably/postgres, its database durably_dev.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { maskPassword } from "@durably/testing";
import { afterAll, expect, test } from "vitest";
import { repoRoot, runDemo } from "./support/run-demo.js";

const project = mkdtempSync(join(tmpdir(), "durably-project-"));
chmodSync(project, 0o755); // as root, Postgres runs as the postgres user, who must reach the folder
const app = join(project, "app");
const dataDir = join(project, ".durably", "postgres");

afterAll(() => rmSync(project, { recursive: true, force: true }));

function durably(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DBOS_SYSTEM_DATABASE_URL: _unset, ...env } = process.env;
  return new Promise((resolve) => {
    const bin = join(repoRoot, "packages", "cli", "bin", "durably.js");
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { ...env, NO_COLOR: "1" }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

test("dev-db start/status/stop and the demo use one server and database from any folder of the project", async () => {
  writeFileSync(join(project, "package.json"), `{ "private": true }\n`);
  writeFileSync(join(project, "pnpm-workspace.yaml"), "packages: [app]\n");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), `{ "name": "app" }\n`);

  const before = await durably(["dev-db", "status"], app);
  expect(before.code).toBe(1);
  expect(before.stdout).toBe(`The development Postgres is not running (files in ${dataDir}).\n`);

  const started = await durably(["dev-db", "start"], project);
  expect(started.code, started.stderr).toBe(0);
  expect(started.stderr).toMatch(
    new RegExp(`^Started the development Postgres on port \\d+ \\(files in ${dataDir}\\)\\.\\n$`),
  );
  const url = /^export DBOS_SYSTEM_DATABASE_URL=(postgres:\/\/\S+\/durably_dev)\n$/.exec(started.stdout)?.[1];
  expect(url, started.stdout).toBeDefined();
  try {
    const id = `order-dev-${randomBytes(3).toString("hex")}`;
    const { DBOS_SYSTEM_DATABASE_URL: _unset, ...env } = process.env;
    const demo = await runDemo(id, { cwd: app, env }).exited;
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toContain(`no DBOS_SYSTEM_DATABASE_URL: using the dev Postgres running in ${dataDir}`);
    expect(demo.output).not.toContain("starting the dev Postgres");
    expect(demo.output).toContain(
      `system database: ${maskPassword(url!)} (pnpm durably dev-db start prints it in full)`,
    );

    const status = await durably(["dev-db", "status"], app);
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(`export DBOS_SYSTEM_DATABASE_URL=${url}\n`);
    expect(status.stderr).toContain(`(files in ${dataDir})`);
    // The CLI, pointed at that URL, sees the demo's order with the step numbers the demo printed.
    const steps = await durably(["--db", url!, "workflow", "steps", id, "--load"], tmpdir());
    expect(steps.code, steps.stderr).toBe(0);
    expect(demo.output).toContain(`✓ step 3 ship: TRACK-${id.toUpperCase()}`);
    expect(steps.stdout).toMatch(new RegExp(`\\n3\\s+ship\\s+ok\\s+TRACK-${id.toUpperCase()}`));
  } finally {
    const stopped = await durably(["dev-db", "stop"], app);
    expect(stopped.stdout).toBe(`Stopped the development Postgres (files in ${dataDir}).\n`);
  }
}, 240_000);
