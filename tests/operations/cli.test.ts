// Every `durably` command as a real subprocess against a real database: output and exit code.
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  createClient,
  enqueueWorkflow,
  getWorkflowSteps,
  shutdown,
  type DBOSContext,
  type Workflow,
} from "@durably/core";
import { send } from "@durably/notifications";
import postgres from "postgres";
import { createSchedule } from "@durably/scheduler";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migratedTemplate } from "@durably/sysdb";
import { startOpsWorker, type OpsWorker } from "./support/start-ops-worker.js";

const db = useTestDatabase({ template: migratedTemplate });
const cliPath = join(dirname(createRequire(import.meta.url).resolve("@durably/cli/package.json")), "dist", "main.js");
let worker: OpsWorker;
let client: DBOSContext;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function durably(args: string[], options: { db?: string | null; cwd?: string } = {}): Promise<Run> {
  const url = options.db === undefined ? db.url : options.db;
  const env = { ...process.env, NO_COLOR: "1", DBOS_SYSTEM_DATABASE_URL: url ?? "" };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      { env, cwd: options.cwd, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const json = async (args: string[]) => {
  const run = await durably(["--json", ...args]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};

beforeAll(async () => {
  worker = await startOpsWorker(db.url);
  client = await createClient({ systemDatabaseUrl: db.url, appName: "ops-app" });
  await (await enqueueWorkflow(client, "greet", "cli", { queue: "work", workflowID: "cli-greet" })).getResult({
    timeoutMs: 15_000,
  });
});
afterAll(async () => {
  await shutdown(client);
  await worker.stop();
});

describe("workflow commands", () => {
  test("list shows workflows as a table, or JSON; filters narrow it; a bad filter is a usage error", async () => {
    const table = await durably(["workflow", "list"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/WORKFLOW ID\s+NAME\s+STATUS/);
    expect(table.stdout).toMatch(/cli-greet\s+greet\s+SUCCESS\s+work/);
    const rows = await json([
      "workflow",
      "list",
      "--status",
      "SUCCESS",
      "--name",
      "greet",
      "--prefix",
      "cli-",
      "--load",
    ]);
    expect(rows.map((r: { workflowID: string; output: string }) => [r.workflowID, r.output])).toEqual([
      ["cli-greet", "hello cli!"],
    ]);
    expect(await json(["workflow", "list", "--status", "ERROR", "--prefix", "cli-"])).toEqual([]);
    const bad = await durably(["workflow", "list", "--status", "DONE"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown status DONE");
  });

  test("get and steps show one workflow; an unknown ID fails with exit code 1 and says what to do", async () => {
    const get = await durably(["workflow", "get", "cli-greet", "--load"]);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/Status\s+SUCCESS/);
    expect(get.stdout).toMatch(/Output\s+hello cli!/);
    const steps = await durably(["workflow", "steps", "cli-greet", "--load"]);
    expect(steps.stdout).toMatch(/0\s+a\s+ok\s+hello/);
    expect(steps.stdout).toMatch(/2\s+c\s+ok\s+hello cli!/);
    const missing = await durably(["workflow", "get", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("No workflow with ID nope");
  });

  test("get, steps and list read no input, output or error unless --load", async () => {
    // A finished workflow whose stored values cannot be decoded: a command that read them would fail.
    const sql = postgres(db.url, { max: 1, onnotice: () => undefined });
    try {
      await sql`insert into dbos.workflow_status (workflow_uuid, status, name, application_name, created_at,
          updated_at, serialization) values ('cli-unread', 'ERROR', 'greet', 'ops-app', 1, 1, 'portable_json')`;
      await sql`insert into dbos.workflow_input (workflow_uuid, inputs) values ('cli-unread', 'not json')`;
      await sql`insert into dbos.workflow_output (workflow_uuid, output, error) values ('cli-unread', null, 'not json')`;
      await sql`insert into dbos.operation_outputs (workflow_uuid, function_id, function_name, output, error,
          serialization) values ('cli-unread', 0, 'fine', 'not json', null, 'portable_json'),
          ('cli-unread', 1, 'broke', null, 'not json', 'portable_json')`;
    } finally {
      await sql.end();
    }
    // Premise: reading the values fails.
    for (const args of [
      ["workflow", "get", "cli-unread", "--load"],
      ["workflow", "steps", "cli-unread", "--load"],
      ["workflow", "list", "--prefix", "cli-unread", "--load"],
    ]) {
      expect((await durably(args)).code, args.join(" ")).not.toBe(0);
    }
    const get = await durably(["workflow", "get", "cli-unread"]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toMatch(/Status\s+ERROR/);
    expect(get.stdout).toContain("not read: add --load to show them");
    const steps = await durably(["workflow", "steps", "cli-unread"]);
    expect(steps.code, steps.stderr).toBe(0);
    expect(steps.stdout).not.toContain("OUTPUT / ERROR");
    expect(steps.stdout).toMatch(/0\s+fine\s+ok/);
    expect(steps.stdout).toMatch(/1\s+broke\s+error/);
    const rows = await json(["workflow", "steps", "cli-unread"]);
    expect(rows.map((r: Record<string, unknown>) => [r.name, r.failed, "output" in r, "error" in r])).toEqual([
      ["fine", false, false, false],
      ["broke", true, false, false],
    ]);
    expect(
      (await json(["workflow", "list", "--prefix", "cli-unread"])).map((r: { status: string }) => r.status),
    ).toEqual(["ERROR"]);
  });

  test("steps shows a durable sleep's output as its wake-up time, not epoch milliseconds", async () => {
    // "gated" waits in recv with a 60 s timeout: its deadline is checkpointed as a DBOS.sleep step.
    const handle = await enqueueWorkflow<Workflow<void, string>>(client, "gated", undefined, {
      queue: "work",
      workflowID: "cli-sleep",
    });
    const poll = async () => (await getWorkflowSteps(client, "cli-sleep")).find((s) => s.name === "DBOS.sleep");
    await expect.poll(poll, { timeout: 15_000 }).toBeDefined();
    const wakeAt = new Date((await poll())!.output as number).toISOString();
    const steps = await durably(["workflow", "steps", "cli-sleep", "--load"]);
    expect(steps.code, steps.stderr).toBe(0);
    expect(steps.stdout).toMatch(
      new RegExp(`\\d\\s+DBOS\\.sleep\\s+ok\\s+wake-up ${wakeAt.replace(/\./g, "\\.")} \\(in \\d+s\\)`),
    );
    await send(client, "cli-sleep", "now", { topic: "go" });
    expect(await handle.getResult({ timeoutMs: 15_000 })).toBe("went now");
  });

  test("cancel and resume by filter with a dry run, by ID, and fork from a step", async () => {
    // nobody serves "parked"
    await enqueueWorkflow(client, "greet", "later", { queue: "parked", workflowID: "parked-1" });
    await enqueueWorkflow(client, "greet", "later", { queue: "parked", workflowID: "parked-2" });
    const dry = await json(["workflow", "cancel", "--status", "ENQUEUED", "--queue", "parked", "--dry-run"]);
    expect(dry.workflowIDs.sort()).toEqual(["parked-1", "parked-2"]);
    expect((await json(["workflow", "list", "--prefix", "parked-"])).map((w: { status: string }) => w.status)).toEqual([
      "ENQUEUED",
      "ENQUEUED",
    ]);
    expect((await json(["workflow", "cancel", "--status", "ENQUEUED", "--queue", "parked"])).cancelled.sort()).toEqual([
      "parked-1",
      "parked-2",
    ]);
    expect((await json(["workflow", "list", "--prefix", "parked-"])).map((w: { status: string }) => w.status)).toEqual([
      "CANCELLED",
      "CANCELLED",
    ]);
    const resumed = await durably(["workflow", "resume", "parked-1"]);
    expect(resumed.stdout).toContain("parked-1: resumed");
    expect(resumed.code).toBe(0);
    await expect
      .poll(async () => (await json(["workflow", "get", "parked-1"])).status, { timeout: 15_000 })
      .toBe("SUCCESS");
    const fork = await json(["workflow", "fork", "cli-greet", "--step", "2", "--id", "cli-fork"]);
    expect(fork).toEqual({ workflowID: "cli-fork", forkedFrom: "cli-greet", startStep: 2 });
    await expect
      .poll(async () => (await json(["workflow", "get", "cli-fork"])).status, { timeout: 15_000 })
      .toBe("SUCCESS");
    expect(worker.effects().filter((l) => l.startsWith("cli-fork:"))).toEqual(["cli-fork:c"]);
    const noTarget = await durably(["workflow", "cancel"]);
    expect(noTarget.code).toBe(2);
    const badStep = await durably(["workflow", "fork", "cli-greet", "--step", "-1"]);
    expect(badStep.code).toBe(2);
  });

  test("cancel and resume say what happened to each ID, and exit 1 when any was not changed", async () => {
    // nobody serves "parked"
    await enqueueWorkflow(client, "greet", "later", { queue: "parked", workflowID: "outcome-parked" });
    const finished = await durably(["workflow", "cancel", "cli-greet"]);
    expect(finished.stdout).toContain("cli-greet: not cancelled, already finished with status SUCCESS");
    expect(finished.stdout).not.toContain("Cancelled 1");
    expect(finished.code).toBe(1);
    const mixed = await durably(["--json", "workflow", "cancel", "outcome-parked", "cli-greet", "outcome-nope"]);
    expect(mixed.code).toBe(1);
    expect(JSON.parse(mixed.stdout)).toEqual({
      cancelled: ["outcome-parked"],
      unchanged: [{ workflowID: "cli-greet", status: "SUCCESS" }],
      missing: ["outcome-nope"],
    });
    expect(mixed.stderr).toContain("2 of 3 workflow(s) were not cancelled (not found: outcome-nope");
    const again = await durably(["workflow", "cancel", "outcome-parked"]);
    expect(again.stdout).toContain("outcome-parked: not cancelled, already CANCELLED");
    expect(again.code).toBe(1);
    const resumeDone = await durably(["workflow", "resume", "cli-greet"]);
    expect(resumeDone.stdout).toContain("cli-greet: not resumed, already finished with status SUCCESS");
    expect(resumeDone.code).toBe(1);
    const help = await durably(["--help"]);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*1 {2}some were not changed/);
  });

  test("gc deletes finished workflows older than a duration, and everything that belongs to them", async () => {
    await (await enqueueWorkflow(client, "greet", "old", { queue: "work", workflowID: "gc-me" })).getResult({
      timeoutMs: 15_000,
    });
    const result = await json(["workflow", "gc", "--older-than", "0s"]);
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    expect(await json(["workflow", "list", "--prefix", "gc-me"])).toEqual([]);
    expect(await json(["workflow", "steps", "cli-greet"]).catch(() => "gone")).toBe("gone");
    expect((await durably(["workflow", "gc", "--older-than", "soon"])).code).toBe(2);
    // Neither bound: a usage error; --keep-newest alone is a bound.
    expect((await durably(["workflow", "gc"])).code).toBe(2);
    expect((await durably(["workflow", "gc", "--keep-newest", "0"])).code).toBe(2);
    const kept = await json(["workflow", "gc", "--keep-newest", "1000000"]);
    expect(kept).toEqual({ deleted: 0 });
  });

  test("doctor reports the system tables' sizes and dead tuples, the oldest open transaction and settings", async () => {
    const sql = postgres(db.url, { max: 1 });
    try {
      // Premise: a transaction stays open while doctor looks.
      await sql.begin(async (tx) => {
        await tx`select 1`;
        const report = await json(["doctor"]);
        const tables = (report.tables as Array<{ table: string; totalBytes: number; deadTuples: number }>).map(
          (t) => t.table,
        );
        expect(tables).toEqual(expect.arrayContaining(["workflow_status", "operation_outputs", "workflow_output"]));
        expect(report.oldestTransaction).toMatchObject({ ageMs: expect.any(Number) });
        expect(report.settings).toHaveProperty("autovacuum");
        expect(Array.isArray(report.warnings)).toBe(true);
      });
    } finally {
      await sql.end();
    }
    const text = await durably(["doctor"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/TABLE\s+SIZE\s+INDEXES\s+LIVE\s+DEAD\s+LAST AUTOVACUUM/);
    expect(text.stdout).toContain("dbos.workflow_status");
  });
});

describe("executor commands", () => {
  test("executor list shows each process's lease and the workflows it owns; --state and --limit filter", async () => {
    // A workflow waiting in recv: PENDING, owned by the ops worker's lease while the test looks.
    const options = { queue: "work", workflowID: "cli-owned" };
    const handle = await enqueueWorkflow<Workflow<void, string>>(client, "gated", undefined, options);
    const status = async () => (await json(["workflow", "get", "cli-owned"])).status;
    await expect.poll(status, { timeout: 15_000 }).toBe("PENDING");
    const table = await durably(["executor", "list"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/EXECUTOR ID\s+STATE\s+APP\s+VERSION\s+HOST\s+PID\s+STARTED\s+RENEWED\s+WORKFLOWS/);
    const host = hostname().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    expect(table.stdout).toMatch(new RegExp(`ops-worker\\s+live\\s+ops-app\\s+ops-v1\\s+${host}\\s+${worker.pid}\\s`));
    const [live, ...others] = await json(["executor", "list", "--state", "live"]);
    expect(others).toEqual([]);
    expect(live).toMatchObject({ executorID: "ops-worker", state: "live", pid: worker.pid });
    expect(live.workflowsOwned).toBeGreaterThanOrEqual(1);
    expect(await json(["executor", "list", "--state", "lapsed,released"])).toEqual([]);
    expect(await json(["executor", "list", "--limit", "0"])).toEqual([]);
    expect(await json(["--app", "another-app", "executor", "list"])).toEqual([]);
    expect((await durably(["--app", "another-app", "executor", "list"])).stdout).toContain("(none)");
    const bad = await durably(["executor", "list", "--state", "dead"]);
    expect(bad.stderr).toContain("Unknown state dead: use one of live, lapsed, released, replaced.");
    expect(bad.code).toBe(2);
    await send(client, "cli-owned", "now", { topic: "go" });
    expect(await handle.getResult({ timeoutMs: 15_000 })).toBe("went now");
  });
});

describe("queues, schedules, schema and databases", () => {
  test("queue list/pause/resume and schedule list/pause/resume/trigger", async () => {
    const queues = await durably(["queue", "list"]);
    expect(queues.stdout).toMatch(/work\s+-\s+10/);
    const paused = await durably(["queue", "pause", "work", "--reason", "maintenance"]);
    expect(paused.stdout, paused.stderr).toContain("paused queue work");
    expect((await durably(["queue", "list"])).stdout).toMatch(/work\s+-\s+10.*maintenance/);
    expect((await json(["queue", "list"])).find((q: { name: string }) => q.name === "work").paused.reason).toBe(
      "maintenance",
    );
    expect(await json(["queue", "pause", "work"])).toEqual({ queue: "work", paused: true, changed: false });
    expect((await durably(["queue", "resume", "work"])).stdout).toContain("resumed queue work");
    expect((await durably(["queue", "pause", "nope"])).code).toBe(1);
    await createSchedule(client, { name: "cli-schedule", workflow: "scheduledJob", cron: "0 0 1 1 *" });
    expect((await json(["schedule", "list"])).map((s: { name: string }) => s.name)).toContain("cli-schedule");
    expect(await json(["schedule", "pause", "cli-schedule"])).toEqual({ schedule: "cli-schedule", status: "PAUSED" });
    expect((await durably(["schedule", "list"])).stdout).toMatch(
      /cli-schedule\s+scheduledJob\s+0 0 1 1 \*\s+UTC\s+PAUSED/,
    );
    expect((await durably(["schedule", "resume", "cli-schedule"])).stdout).toContain("Resumed schedule cli-schedule");
    const triggered = await json(["schedule", "trigger", "cli-schedule"]);
    expect(triggered.workflowID).toMatch(/^sched-cli-schedule-trigger-/);
    await expect
      .poll(async () => (await json(["workflow", "get", triggered.workflowID])).status, { timeout: 15_000 })
      .toBe("SUCCESS");
    expect((await durably(["schedule", "pause", "nope"])).code).toBe(1);
  });

  test("migrate creates and migrates a database; schema print shows the SQL; no database is exit 3", async () => {
    const fresh = new URL(db.url);
    fresh.pathname = `/${fresh.pathname.slice(1)}_migrated`;
    const first = await durably(["migrate"], { db: fresh.toString() });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("created the database; applied migration(s) 1");
    expect((await durably(["migrate"], { db: fresh.toString() })).stdout).toContain("already up to date");
    const schema = await durably(["schema", "print"]);
    expect(schema.stdout).toContain('CREATE TABLE "dbos".workflow_status');
    expect((await durably(["--schema", "my_schema", "schema", "print"])).stdout).toContain(
      'CREATE TABLE "my_schema".workflow_status',
    );
    const unreachable = await durably(["workflow", "list"], { db: "postgres://postgres@127.0.0.1:1/none" });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain("Connection refused by 127.0.0.1:1:");
    const unset = await durably(["workflow", "list"], { db: null });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("DBOS_SYSTEM_DATABASE_URL");
    const { dropTestDatabaseNamed } = await import("./support/drop-database.js");
    await dropTestDatabaseNamed(db.url, fresh.pathname.slice(1));
  });

  test("dev-db start runs a local Postgres that migrate can use, and stop stops it", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "durably-devdb-"));
    chmodSync(cwd, 0o755); // as root, Postgres runs as the postgres user, who must reach the folder
    const started = await durably(["--json", "dev-db", "start"], { cwd });
    expect(started.code, started.stderr).toBe(0);
    const { url } = JSON.parse(started.stdout);
    expect((await durably(["migrate"], { db: url, cwd })).code).toBe(0);
    expect((await durably(["--json", "dev-db", "stop"], { cwd })).stdout).toContain('"stopped": true');
    // And it is really down: its port refuses connections.
    const gone = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
    const refused = await gone`select 1`.then(
      () => undefined,
      (error: { code?: string }) => error.code,
    );
    await gone.end();
    expect(refused).toBe("ECONNREFUSED");
    expect((await durably(["dev-db", "stop"], { cwd })).stdout).toContain("was not running");
  }, 120_000);
});
