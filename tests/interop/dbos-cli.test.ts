// DBOS 5.3.0's own CLI (`dbos`, the package's bin) against rows durably wrote, in both formats:
// workflow get, steps, cancel, resume and fork, the queue listing, and rename-application, which
// re-owns an application's queues, schedules, versions, workflows and steps (durably then serves
// them under the new name).
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import {
  createClient,
  createDBOSContext,
  enqueueWorkflow,
  getWorkflowID,
  getWorkflowSteps,
  launch,
  listWorkflows,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { recv, send } from "@durably/notifications";
import { listenQueues, registerQueue, retrieveQueue } from "@durably/queues";
import { createSchedule, getSchedule } from "@durably/scheduler";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const db = useTestDatabase({ template: migratedTemplate });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const dbosCli = createRequire(import.meta.url).resolve("@dbos-inc/dbos-sdk/internal/cli/cli");
const formats = ["js_superjson", "portable_json"] as const;
type Format = (typeof formats)[number];

/** Runs DBOS's CLI on the test database; JSON commands print one JSON document on stdout. */
function dbos(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The database URL is always given (-s), and no dbos-config.yaml is near the tests.
    execFile(process.execPath, [dbosCli, ...args, "-s", db.url], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const contexts: Partial<Record<Format, DBOSContext>> = {};
const flows: Record<string, Parameters<typeof runWorkflow>[1]> = {};
/** How often the first step of each workflow ran, by ID: a fork or resume must not run it again. */
const firstStepRuns = new Map<string, number>();

function register(ctx: DBOSContext, format: Format): void {
  const counted = (id: string) => firstStepRuns.set(id, (firstStepRuns.get(id) ?? 0) + 1);
  flows[`order-${format}`] = registerWorkflow(
    ctx,
    async (wctx: DBOSContext, input: { n: number }) => {
      const id = getWorkflowID(wctx);
      const doubled = await runAsStep(wctx, async () => (counted(id), input.n * 2), { name: "double" });
      const label = await runAsStep(wctx, async () => `order ${doubled}`, { name: "label" });
      return { doubled, label };
    },
    { name: "order" },
  );
  flows[`gated-${format}`] = registerWorkflow(
    ctx,
    async (wctx: DBOSContext) => {
      const id = getWorkflowID(wctx);
      await runAsStep(wctx, async () => (counted(id), "before"), { name: "before" });
      const go = await recv<string>(wctx, { topic: "go", timeoutMs: 60_000 });
      return runAsStep(wctx, async () => `went ${go}`, { name: "after" });
    },
    { name: "gated" },
  );
}

beforeAll(async () => {
  for (const format of formats) {
    const ctx = createDBOSContext({
      appName: `dbos-cli-${format}`,
      systemDatabaseUrl: db.url,
      applicationVersion: "cli-v1",
      logger: quiet,
      pollIntervalMs: 50,
      serializer: format,
    });
    register(ctx, format);
    await launch(ctx);
    contexts[format] = ctx;
  }
});
afterAll(async () => {
  for (const ctx of Object.values(contexts)) await shutdown(ctx);
});

describe.each(formats)("durably workflows written in %s", (format) => {
  const ctx = () => contexts[format]!;

  test("dbos workflow get and steps read them", async () => {
    const id = `cli-read-${format}`;
    await (await runWorkflow(ctx(), flows[`order-${format}`]!, { n: 21 }, { workflowID: id })).getResult();
    const [get, steps] = await Promise.all([dbos(["workflow", "get", id]), dbos(["workflow", "steps", id])]);
    expect(get.code, get.stderr).toBe(0);
    const status = JSON.parse(get.stdout) as {
      workflowID: string;
      status: string;
      workflowName: string;
      output: string;
    };
    expect(status).toMatchObject({ workflowID: id, status: "SUCCESS", workflowName: "order" });
    // The CLI prints input and output through util.inspect.
    expect(status.output).toBe("{ doubled: 42, label: 'order 42' }");
    expect(steps.code, steps.stderr).toBe(0);
    const rows = JSON.parse(steps.stdout) as Array<{ functionID: number; name: string; output: string }>;
    expect(rows.map((s) => [s.functionID, s.name, s.output])).toEqual([
      [0, "double", "42"],
      [1, "label", "'order 42'"],
    ]);
  });

  test("dbos workflow cancel and resume drive one waiting in recv; it finishes with its first step run once", async () => {
    const id = `cli-gated-${format}`;
    await runWorkflow(ctx(), flows[`gated-${format}`]!, undefined, { workflowID: id });
    // Premise: it is waiting in recv (its first step and recv's timeout sleep are recorded).
    const names = async () => (await getWorkflowSteps(ctx(), id)).map((s) => s.name);
    await expect.poll(names, { timeout: 15_000 }).toEqual(["before", "DBOS.sleep"]);
    const cancelled = await dbos(["workflow", "cancel", id]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const status = async () => (await listWorkflows(ctx(), { workflowIDs: [id] }))[0]?.status;
    await expect.poll(status, { timeout: 15_000 }).toBe("CANCELLED");
    const resumed = await dbos(["workflow", "resume", id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    await expect.poll(status, { timeout: 15_000 }).not.toBe("CANCELLED");
    await send(ctx(), id, "on", { topic: "go" });
    expect(await (await retrieveWorkflow(ctx(), id)).getResult({ timeoutMs: 20_000 })).toBe("went on");
    expect(firstStepRuns.get(id)).toBe(1);
  });

  test("dbos workflow fork --step 1: durably runs the fork, its first step copied, not run", async () => {
    const id = `cli-fork-src-${format}`;
    await (await runWorkflow(ctx(), flows[`order-${format}`]!, { n: 5 }, { workflowID: id })).getResult();
    const forkID = `cli-fork-${format}`;
    const forked = await dbos(["workflow", "fork", id, "--step", "1", "--forked-workflow-id", forkID]);
    expect(forked.code, forked.stderr).toBe(0);
    expect(await (await retrieveWorkflow(ctx(), forkID)).getResult({ timeoutMs: 20_000 })).toEqual({
      doubled: 10,
      label: "order 10",
    });
    expect(firstStepRuns.get(forkID) ?? 0).toBe(0);
    expect((await getWorkflowSteps(ctx(), forkID)).map((s) => s.name)).toEqual(["double", "label"]);
  });
});

test("dbos workflow queue list shows a workflow durably enqueued, waiting for a worker", async () => {
  const client = await createClient({ systemDatabaseUrl: db.url, appName: "dbos-cli-parked", logger: quiet });
  try {
    await registerQueue(client, "cli-parked-q");
    await enqueueWorkflow(client, "order", { n: 1 }, { queue: "cli-parked-q", workflowID: "cli-parked-1" });
    const listed = await dbos(["workflow", "queue", "list", "--queue", "cli-parked-q", "--limit", "10"]);
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as Array<{ workflowID: string; status: string; queueName: string }>;
    expect(rows.map((r) => [r.workflowID, r.status, r.queueName])).toEqual([
      ["cli-parked-1", "ENQUEUED", "cli-parked-q"],
    ]);
  } finally {
    await shutdown(client);
  }
});

test("dbos rename-application re-owns what durably wrote, and a durably worker of the new name runs it", async () => {
  const appRows = { systemDatabaseUrl: db.url, applicationVersion: "old-v1", logger: quiet, pollIntervalMs: 50 };
  const old = createDBOSContext({ ...appRows, appName: "cli-old" });
  register(old, "js_superjson");
  await registerQueue(old, "cli-old-q");
  await launch(old);
  try {
    await (await runWorkflow(old, flows["order-js_superjson"]!, { n: 2 }, { workflowID: "cli-old-done" })).getResult();
    await createSchedule(old, { name: "cli-old-yearly", workflow: "order", cron: "0 0 1 1 *", context: { n: 3 } });
  } finally {
    await shutdown(old);
  }
  // Enqueued while no worker of cli-old runs: it waits for one.
  const before = await createClient({ systemDatabaseUrl: db.url, appName: "cli-old", logger: quiet });
  try {
    await enqueueWorkflow(before, "order", { n: 4 }, { queue: "cli-old-q", workflowID: "cli-old-waiting" });
  } finally {
    await shutdown(before);
  }

  const renamed = await dbos(["rename-application", "--from", "cli-old", "--to", "cli-new", "--yes"]);
  expect(renamed.code, renamed.stderr).toBe(0);
  // One queue, one schedule, one version, two workflows, and the finished one's two steps.
  expect(JSON.parse(renamed.stdout)).toEqual({ queues: 1, schedules: 1, versions: 1, workflows: 2, steps: 2 });

  const after = await createClient({ systemDatabaseUrl: db.url, appName: "cli-new", logger: quiet });
  try {
    expect((await retrieveQueue(after, "cli-old-q"))?.applicationName).toBe("cli-new");
    expect((await getSchedule(after, "cli-old-yearly")).context).toEqual({ n: 3 });
    const mine = await listWorkflows(after, { workflowIDPrefix: "cli-old-" });
    expect(mine.map((w) => [w.workflowID, w.applicationName]).sort()).toEqual([
      ["cli-old-done", "cli-new"],
      ["cli-old-waiting", "cli-new"],
    ]);
  } finally {
    await shutdown(after);
  }
  const worker = createDBOSContext({ ...appRows, appName: "cli-new" });
  register(worker, "js_superjson");
  listenQueues(worker, ["cli-old-q"]);
  await launch(worker);
  try {
    const waiting = await retrieveWorkflow(worker, "cli-old-waiting");
    expect(await waiting.getResult({ timeoutMs: 20_000 })).toEqual({ doubled: 8, label: "order 8" });
  } finally {
    await shutdown(worker);
  }
});
