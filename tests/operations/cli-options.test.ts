// The CLI's numeric flags take digits only and durations whole milliseconds (exit code 2, naming
// the flag, before anything runs), and `workflow fork --queue` honours a partitioned queue.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  createDBOSContext,
  enqueueWorkflow,
  launch,
  listWorkflows,
  registerWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { listenQueues, registerQueue } from "@durably/queues";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migratedTemplate } from "@durably/sysdb";

const db = useTestDatabase({ template: migratedTemplate });
const cliPath = join(dirname(createRequire(import.meta.url).resolve("@durably/cli/package.json")), "dist", "main.js");
let ctx: DBOSContext;

function durably(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, NO_COLOR: "1", DBOS_SYSTEM_DATABASE_URL: db.url };
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  ctx = createDBOSContext({
    appName: "cli-options",
    systemDatabaseUrl: db.url,
    applicationVersion: "v1",
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  registerWorkflow(ctx, async () => "done", { name: "task" });
  listenQueues(ctx, []); // nothing runs: the tests only look at rows
  await registerQueue(ctx, "cli-parts", { partitionQueue: true });
  await launch(ctx);
  await enqueueWorkflow(ctx, "task", undefined, { queue: "cli-parked", workflowID: "cli-original" });
});
afterAll(() => shutdown(ctx));

describe("numeric flags", () => {
  test.each([
    [["workflow", "list", "--limit", "1e3"], "--limit", '"1e3"'],
    [["workflow", "list", "--limit", "0x10"], "--limit", '"0x10"'],
    [["workflow", "list", "--offset", ""], "--offset", '""'],
    [["workflow", "gc", "--older-than", "1d", "--batch-size", "1e2"], "--batch-size", '"1e2"'],
    [["workflow", "fork", "cli-original", "--step", "1e0"], "--step", '"1e0"'],
    [["executor", "list", "--limit", "1.5"], "--limit", '"1.5"'],
  ])("%j: exit code 2, naming the flag", async (args, flag, shown) => {
    const run = await durably(args);
    expect(run.stderr).toContain(`${flag} takes a whole number`);
    expect(run.stderr).toContain(shown);
    expect(run.code).toBe(2);
  });

  test("gc --older-than 1.5ms is a usage error, not PostgresError 22P02; 1.5s is 1500 ms", async () => {
    const fraction = await durably(["workflow", "gc", "--older-than", "1.5ms"]);
    expect(fraction.stderr).toContain("--older-than takes a duration of whole milliseconds");
    expect(fraction.code).toBe(2);
    const seconds = await durably(["--json", "workflow", "gc", "--older-than", "1.5s"]);
    expect(seconds.code, seconds.stderr).toBe(0);
    expect(JSON.parse(seconds.stdout)).toEqual({ deleted: 0 });
  });
});

describe("fork onto a partitioned queue", () => {
  test("without --partition-key it exits 2 naming partitionKey; with it the fork is enqueued", async () => {
    const missing = await durably([
      "workflow",
      "fork",
      "cli-original",
      "--step",
      "0",
      "--queue",
      "cli-parts",
      "--id",
      "cli-fork-no-key",
    ]);
    expect(missing.stderr).toContain(
      "Queue cli-parts is partitioned (partitionQueue: true): an enqueue on it needs a partitionKey",
    );
    expect(missing.code).toBe(2);
    const keyed = await durably([
      "workflow",
      "fork",
      "cli-original",
      "--step",
      "0",
      "--queue",
      "cli-parts",
      "--partition-key",
      "k",
      "--id",
      "cli-fork-keyed",
    ]);
    expect(keyed.code, keyed.stderr).toBe(0);
    const rows = await listWorkflows(ctx, { workflowIDs: ["cli-fork-no-key", "cli-fork-keyed"] });
    expect(rows.map((r) => [r.workflowID, r.queueName])).toEqual([["cli-fork-keyed", "cli-parts"]]);
    const stray = await durably(["workflow", "fork", "cli-original", "--step", "0", "--partition-key", "k"]);
    expect(stray.stderr).toContain("--partition-key needs --queue");
    expect(stray.code).toBe(2);
  });
});
