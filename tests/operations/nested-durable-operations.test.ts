// A durable operation started while a step's function of the same workflow runs is refused with
// NESTED_DURABLE_OPERATION, whichever context it was given (the workflow's, closed over, or the
// step's own); steps and operations started side by side from the workflow function still work.
import {
  cancelWorkflow,
  createDBOSContext,
  enqueueWorkflow,
  forkWorkflow,
  getWorkflowSteps,
  isDurablyError,
  launch,
  registerWorkflow,
  resumeWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
  type Workflow,
} from "@durably/core";
import { closeStream, getEvent, recv, send, setEvent, writeStream } from "@durably/notifications";
import { registerQueue } from "@durably/queues";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const db = useTestDatabase({ template: migratedTemplate });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let ctx: DBOSContext;
let child: Workflow<void, string>;
let nested: Workflow<{ op: string; via: "workflow" | "step" }, string>;
let sideBySide: Workflow<void, unknown[]>;
let viaRoot: Workflow<void, string>;
/** A workflow that has finished: the target of the operations that need one. */
let finishedID: string;

/** One durable operation of each kind, from core, notifications and queues. */
const operations: Record<string, (c: DBOSContext) => Promise<unknown>> = {
  runAsStep: (c) => runAsStep(c, async () => 1, { name: "inner" }),
  sleep: (c) => sleep(c, 1),
  "runWorkflow (child)": (c) => runWorkflow(c, child, undefined),
  "enqueueWorkflow (queue)": (c) => enqueueWorkflow(c, child, undefined, { queue: "nested-q" }),
  getResult: async (c) => (await retrieveWorkflow(c, finishedID)).getResult(),
  cancelWorkflow: (c) => cancelWorkflow(c, finishedID),
  resumeWorkflow: (c) => resumeWorkflow(c, finishedID),
  forkWorkflow: (c) => forkWorkflow(c, finishedID, { startStep: 0 }),
  send: (c) => send(c, finishedID, "hello", { topic: "t" }),
  recv: (c) => recv(c, { topic: "t", timeoutMs: 0 }),
  setEvent: (c) => setEvent(c, "k", 1),
  getEvent: (c) => getEvent(c, finishedID, "k", { timeoutMs: 0 }),
  writeStream: (c) => writeStream(c, "s", 1),
  closeStream: (c) => closeStream(c, "s"),
};

beforeAll(async () => {
  ctx = createDBOSContext({
    appName: "nested-ops",
    systemDatabaseUrl: db.url,
    applicationVersion: "n1",
    logger: quiet,
    pollIntervalMs: 100,
  });
  child = registerWorkflow(ctx, async function nestedChild() {
    return "child";
  });
  nested = registerWorkflow(
    ctx,
    async function nestedOperation(wctx: DBOSContext, { op, via }: { op: string; via: "workflow" | "step" }) {
      return runAsStep(
        wctx,
        async (stepCtx) => {
          await operations[op]!(via === "workflow" ? wctx : stepCtx);
          return "the nested operation ran";
        },
        { name: "outer", maxRetries: 2, intervalMs: 1 },
      );
    },
  );
  sideBySide = registerWorkflow(ctx, async function sideBySide(wctx: DBOSContext) {
    // Step "a" is in flight (awaiting) while the workflow function starts step "b", sleeps and
    // sends: none of them is inside a step, so none is refused.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    return Promise.all([
      runAsStep(wctx, async () => (await gate, "a"), { name: "a" }),
      runAsStep(wctx, async () => "b", { name: "b" }),
      (async () => {
        await sleep(wctx, 1);
        await send(wctx, finishedID, "from the body", { topic: "side" });
        release();
        return "body";
      })(),
    ]);
  });
  viaRoot = registerWorkflow(ctx, async function viaRoot(wctx: DBOSContext) {
    // Inside a step, the root context acts as any outside caller would (as a client): allowed.
    return runAsStep(wctx, async () => (await (await runWorkflow(ctx, child, undefined)).getResult()) as string, {
      name: "startsAnother",
    });
  });
  await registerQueue(ctx, "nested-q");
  await launch(ctx);
  const finished = await runWorkflow(ctx, child, undefined);
  await finished.getResult();
  finishedID = finished.workflowID;
});
afterAll(async () => {
  await shutdown(ctx);
});

describe("a durable operation inside a step is refused", () => {
  const cases = Object.keys(operations).flatMap((op) => (["workflow", "step"] as const).map((via) => ({ op, via })));

  test.each(cases)("$op with the $via's context", async ({ op, via }) => {
    const handle = await runWorkflow(ctx, nested, { op, via });
    const error = await handle.getResult().then(
      (value) => new Error(`the workflow returned ${JSON.stringify(value)}`),
      (e: unknown) => e,
    );
    expect(isDurablyError(error, "NESTED_DURABLE_OPERATION"), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/outside the step.*child workflow/s);
    // Only the outer step is recorded, with the refusal as its error and no retry of it: the
    // nested operation took no step ID and wrote nothing.
    const steps = await getWorkflowSteps(ctx, handle.workflowID);
    expect(steps.map((s) => [s.stepID, s.name, (s.error as { code?: string } | undefined)?.code])).toEqual([
      [0, "outer", "NESTED_DURABLE_OPERATION"],
    ]);
  });
});

describe("what is not inside a step still works", () => {
  test("steps and operations started together by the workflow function, while a step is in flight", async () => {
    const handle = await runWorkflow(ctx, sideBySide, undefined);
    expect(await handle.getResult()).toEqual(["a", "b", "body"]);
    expect((await getWorkflowSteps(ctx, handle.workflowID)).map((s) => s.name)).toEqual([
      "a",
      "b",
      "DBOS.sleep",
      "DBOS.send",
    ]);
  });

  test("a step that starts another workflow through the root context", async () => {
    expect(await (await runWorkflow(ctx, viaRoot, undefined)).getResult()).toBe("child");
  });
});
