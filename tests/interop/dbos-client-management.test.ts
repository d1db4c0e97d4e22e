// DBOS 5.3.0's client managing workflows and schedules that durably runs, through the calls the other
// interop tests leave out: delay, priority, waitAll and waitFirst, its debouncer, rewind, delete with children,
// cancel and resume in bulk, the queued-workflow and queue lists, a stream read by offset, and a
// schedule paused, resumed, edited and deleted by the client while durably's scheduler fires it.
import { type DBOSClient, DebouncerClient } from "@dbos-inc/dbos-sdk";
import {
  createDBOSContext,
  getWorkflowSteps,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
  type Workflow,
} from "@durably/core";
import { closeStream, recv, writeStream } from "@durably/notifications";
import { registerQueue } from "@durably/queues";
import { type ScheduledInput, startScheduler } from "@durably/scheduler";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDBOSClient } from "./support/dbos-client.js";

const db = useTestDatabase({ template: migratedTemplate });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const app = "interop-manage";

let ctx: DBOSContext;
let dbos: DBOSClient;
/** How often each step ran, by `<step><input>`. */
const stepRuns = new Map<string, number>();
/** The inputs the debounced workflow ran with. */
const debouncedRuns: string[] = [];
/** The schedule's ticks as the workflow received them. */
const ticks: { scheduledTime: Date; context: unknown }[] = [];

const counted = <T>(key: string, value: T) => (stepRuns.set(key, (stepRuns.get(key) ?? 0) + 1), value);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  ctx = createDBOSContext({
    appName: app,
    systemDatabaseUrl: db.url,
    applicationVersion: "manage-v1",
    logger: quiet,
    pollIntervalMs: 50,
  });
  const twoSteps: Workflow<number, number> = registerWorkflow(
    ctx,
    async (w: DBOSContext, n: number) => {
      const a = await runAsStep(w, async () => counted(`a${n}`, n + 1), { name: "a" });
      return runAsStep(w, async () => counted(`b${n}`, a + 1), { name: "b" });
    },
    { name: "twoSteps" },
  );
  registerWorkflow(ctx, async (w: DBOSContext, n: number) => (await runWorkflow(w, twoSteps, n)).getResult(), {
    name: "parent",
  });
  registerWorkflow(ctx, async (_w: DBOSContext, text: string) => (debouncedRuns.push(text), text), {
    name: "debounced",
  });
  registerWorkflow(ctx, async (w: DBOSContext) => recv<string>(w, { topic: "go", timeoutMs: 60_000 }), {
    name: "waiter",
  });
  registerWorkflow(
    ctx,
    async (w: DBOSContext) => {
      for (let i = 0; i < 3; i++) await writeStream(w, "s", `item ${i}`);
      await closeStream(w, "s");
    },
    { name: "streamer" },
  );
  registerWorkflow(
    ctx,
    async (_w: DBOSContext, input: ScheduledInput) => void ticks.push({ ...input, context: input.context }),
    { name: "tick" },
  );
  await registerQueue(ctx, "manage-q", { priorityEnabled: true });
  startScheduler(ctx, { pollingIntervalMs: 100 });
  await launch(ctx);
  dbos = await createDBOSClient(db.url, app);
});
afterAll(async () => {
  await dbos?.destroy();
  await shutdown(ctx);
});

describe("workflows", () => {
  test("a DELAYED workflow's new delay from setWorkflowDelay, then waitAll and waitFirst", async () => {
    const delayed = await dbos.enqueue({ workflowName: "twoSteps", queueName: "manage-q", delaySeconds: 3600 }, 1);
    expect((await dbos.getWorkflow(delayed.workflowID))?.status).toBe("DELAYED");
    await dbos.setWorkflowDelay(delayed.workflowID, 0.1);
    const others = [
      await dbos.enqueue({ workflowName: "twoSteps", queueName: "manage-q" }, 2),
      await dbos.enqueue({ workflowName: "twoSteps", queueName: "manage-q" }, 3),
    ];
    await dbos.setWorkflowPriority(others[1]!.workflowID, 5);
    const first = await dbos.waitFirst([delayed], { timeoutMS: 20_000 } as never);
    expect(first.workflowID).toBe(delayed.workflowID);
    expect(await first.getResult()).toBe(3);
    const all = await dbos.waitAll(others, { timeoutMS: 20_000 } as never);
    expect(await Promise.all(all.map((h) => h.getResult()))).toEqual([4, 5]);
    expect((await dbos.getWorkflow(others[1]!.workflowID))?.priority).toBe(5);
  });

  test("DBOS's DebouncerClient: three calls in a burst make one run, with the last call's input", async () => {
    const debouncer = new DebouncerClient(dbos, {
      workflowName: "debounced",
      startWorkflowParams: { queueName: "manage-q" },
    });
    const handles = [];
    for (const text of ["one", "two", "three"]) handles.push(await debouncer.debounce("doc-1", 2_000, text));
    expect(new Set(handles.map((h) => h.workflowID)).size).toBe(1);
    expect(await handles[2]!.getResult()).toBe("three");
    expect(debouncedRuns).toEqual(["three"]);
  });

  test("rewindWorkflow to step 1: durably runs the workflow again under its ID, step 0 not run again", async () => {
    const handle = await dbos.enqueue({ workflowName: "twoSteps", queueName: "manage-q" }, 10);
    expect(await handle.getResult()).toBe(12);
    const rewound = await dbos.rewindWorkflow(handle.workflowID, { startStep: 1 });
    expect(rewound.workflowID).toBe(handle.workflowID);
    expect(await rewound.getResult()).toBe(12);
    expect([stepRuns.get("a10"), stepRuns.get("b10")]).toEqual([1, 2]);
    expect((await getWorkflowSteps(ctx, handle.workflowID)).map((s) => [s.stepID, s.name])).toEqual([
      [0, "a"],
      [1, "b"],
    ]);
  });

  test("deleteWorkflow with its children removes the parent and the child durably ran", async () => {
    const parent = await dbos.enqueue({ workflowName: "parent", queueName: "manage-q" }, 20);
    expect(await parent.getResult()).toBe(22);
    const childID = (await dbos.listWorkflowSteps(parent.workflowID))?.find((s) => s.childWorkflowID)?.childWorkflowID;
    expect(childID).toBeTruthy();
    await dbos.deleteWorkflow(parent.workflowID, true);
    expect(await dbos.getWorkflow(parent.workflowID)).toBeUndefined();
    expect(await dbos.getWorkflow(childID!)).toBeUndefined();
  });

  test("cancelWorkflows and resumeWorkflows: both waiting runs stop, then finish once resumed", async () => {
    const waiting = [
      await dbos.enqueue({ workflowName: "waiter", queueName: "manage-q" }),
      await dbos.enqueue({ workflowName: "waiter", queueName: "manage-q" }),
    ];
    const ids = waiting.map((h) => h.workflowID);
    await expect.poll(async () => (await dbos.getWorkflow(ids[1]!))?.status, { timeout: 10_000 }).toBe("PENDING");
    const queued = await dbos.listQueuedWorkflows({ queueName: "manage-q" });
    expect(queued.map((w) => w.workflowID)).toEqual(expect.arrayContaining(ids));
    expect((await dbos.listQueues()).map((q) => q.name)).toContain("manage-q");
    await dbos.cancelWorkflows(ids);
    expect(await Promise.all(ids.map(async (id) => (await dbos.getWorkflow(id))?.status))).toEqual([
      "CANCELLED",
      "CANCELLED",
    ]);
    const resumed = await dbos.resumeWorkflows(ids);
    for (const id of ids) await dbos.send(id, `for ${id}`, "go");
    expect(await Promise.all(resumed.map((h) => h.getResult()))).toEqual(ids.map((id) => `for ${id}`));
  });

  test("readStreamOffset reads one value of a stream durably wrote", async () => {
    const handle = await dbos.enqueue({ workflowName: "streamer", queueName: "manage-q" });
    expect(await dbos.readStreamOffset(handle.workflowID, "s", 2, { timeoutMS: 10_000 } as never)).toBe("item 2");
  });
});

describe("a schedule the DBOS client manages while durably's scheduler fires it", () => {
  /** Ticks whose scheduled time is after `from`. */
  const ticksAfter = (from: number) => ticks.filter((t) => t.scheduledTime.getTime() > from);

  test("created, paused, resumed, edited and deleted by the client", async () => {
    await dbos.createSchedule({
      scheduleName: "every-second",
      workflowName: "tick",
      schedule: "* * * * * *",
      context: 1,
    });
    await expect.poll(() => ticks.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    expect(ticks.every((t) => t.context === 1)).toBe(true);

    await dbos.pauseSchedule("every-second");
    await sleep(1_000); // the scheduler picks the change up within its polling interval (100 ms)
    const paused = Date.now();
    await sleep(2_500);
    expect(ticksAfter(paused)).toEqual([]);

    await dbos.resumeSchedule("every-second");
    await expect.poll(() => ticksAfter(paused).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);

    await dbos.updateSchedule("every-second", { schedule: "*/2 * * * * *", context: 2 });
    await sleep(1_000);
    const edited = Date.now();
    await expect.poll(() => ticksAfter(edited).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    for (const t of ticksAfter(edited)) {
      expect(t.context).toBe(2);
      expect(t.scheduledTime.getUTCSeconds() % 2).toBe(0);
    }

    await dbos.deleteSchedule("every-second");
    await sleep(1_000);
    const deleted = Date.now();
    await sleep(2_500);
    expect(ticksAfter(deleted)).toEqual([]);
  }, 90_000);
});
