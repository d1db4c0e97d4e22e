// Workflows shared with DBOS 5.3.0's client, both ways and in both formats: what durably writes
// (workflow_status, workflow_input/output, operation_outputs), DBOS reads; what DBOS's client
// writes (enqueue, enqueuePortable, cancel, resume, fork), durably runs.
import type { DBOSClient } from "@dbos-inc/dbos-sdk";
import {
  createDBOSContext,
  getWorkflowID,
  launch,
  listWorkflows,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { recv } from "@durably/notifications";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDBOSClient, dbosSerializers } from "./support/dbos-client.js";

const db = useTestDatabase({ template: migratedTemplate });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const when = new Date("2026-01-02T03:04:05.000Z");

let superjson: DBOSContext;
let portable: DBOSContext;
let dbos: DBOSClient;
let dbosPortable: DBOSClient;
/** How often each workflow's first step ran, by workflow ID (a fork must not run it again). */
const firstStepRuns = new Map<string, number>();

const context = (appName: string, serializer: "js_superjson" | "portable_json") =>
  createDBOSContext({
    appName,
    systemDatabaseUrl: db.url,
    applicationVersion: "wf-v1",
    logger: quiet,
    pollIntervalMs: 50,
    serializer,
  });

/** The registered workflows of a context, by name. */
const registered = new Map<DBOSContext, Record<string, Parameters<typeof runWorkflow>[1]>>();
const wf = (ctx: DBOSContext, name: string) => registered.get(ctx)![name]!;

function register(ctx: DBOSContext): void {
  const order = registerWorkflow(
    ctx,
    async function order(wctx: DBOSContext, input: { n: number; note?: string }) {
      const id = getWorkflowID(wctx);
      const doubled = await runAsStep(
        wctx,
        async () => (firstStepRuns.set(id, (firstStepRuns.get(id) ?? 0) + 1), input.n * 2),
        { name: "double" },
      );
      const label = await runAsStep(wctx, async () => `order ${doubled}`, { name: "label" });
      return { doubled, label, note: input.note ?? null };
    },
    // Named explicitly: the bundler renames a function whose name a local binding shadows.
    { name: "order" },
  );
  const rich = registerWorkflow(
    ctx,
    async function rich(_wctx: DBOSContext, input: { when: Date; big: bigint; tags: Set<string> }) {
      return { when: input.when, big: input.big * 2n, tags: input.tags, map: new Map([["k", 1]]) };
    },
    { name: "rich" },
  );
  const fails = registerWorkflow(
    ctx,
    async function fails(wctx: DBOSContext) {
      await runAsStep(
        wctx,
        async () => {
          throw new Error("step broke");
        },
        { name: "breaks", maxRetries: 0 },
      ).catch(() => undefined);
      throw new Error("workflow broke");
    },
    { name: "fails" },
  );
  const parent = registerWorkflow(
    ctx,
    async function parent(wctx: DBOSContext, n: number) {
      const child = await runWorkflow(wctx, order, { n }, { workflowID: `${getWorkflowID(wctx)}-child` });
      return (await child.getResult()) as unknown;
    },
    { name: "parent" },
  );
  const waits = registerWorkflow(
    ctx,
    async function waits(wctx: DBOSContext) {
      return await recv<string>(wctx, { topic: "go", timeoutMs: 30_000 });
    },
    { name: "waits" },
  );
  registered.set(ctx, { order, rich, fails, parent, waits } as Record<string, Parameters<typeof runWorkflow>[1]>);
}

beforeAll(async () => {
  superjson = context("interop-wf", "js_superjson");
  portable = context("interop-wf-portable", "portable_json");
  register(superjson);
  register(portable);
  await launch(superjson);
  await launch(portable);
  dbos = await createDBOSClient(db.url, "interop-wf");
  dbosPortable = await createDBOSClient(db.url, "interop-wf-portable", dbosSerializers.portable);
});
afterAll(async () => {
  await dbos?.destroy();
  await dbosPortable?.destroy();
  await shutdown(superjson);
  await shutdown(portable);
});

describe.each([
  ["js_superjson", () => superjson, () => dbos],
  ["portable_json", () => portable, () => dbosPortable],
] as const)("durably writes a workflow (%s), DBOS reads it", (format, ctx, client) => {
  test("status, input, output and steps", async () => {
    const id = `read-${format}`;
    await (await runWorkflow(ctx(), wf(ctx(), "order"), { n: 21, note: "hi" }, { workflowID: id })).getResult();
    const [row] = await client().listWorkflows({ workflowIDs: [id], loadInput: true, loadOutput: true });
    expect(row).toMatchObject({
      status: "SUCCESS",
      workflowName: "order",
      applicationVersion: "wf-v1",
      input: [{ n: 21, note: "hi" }],
    });
    expect(row?.output).toEqual({ doubled: 42, label: "order 42", note: "hi" });
    expect(await client().retrieveWorkflow(id).getResult()).toEqual({ doubled: 42, label: "order 42", note: "hi" });
    const steps = await client().listWorkflowSteps(id);
    expect(steps?.map((s) => [s.functionID, s.name, s.output, s.error ?? null])).toEqual([
      [0, "double", 42, null],
      [1, "label", "order 42", null],
    ]);
  });

  test("a failed workflow's error and a failed step's error", async () => {
    const id = `fails-${format}`;
    await expect(
      (await runWorkflow(ctx(), wf(ctx(), "fails"), undefined, { workflowID: id })).getResult(),
    ).rejects.toThrow("workflow broke");
    await expect(client().retrieveWorkflow(id).getResult()).rejects.toThrow("workflow broke");
    expect((await client().getWorkflow(id))?.status).toBe("ERROR");
    const [step] = (await client().listWorkflowSteps(id)) ?? [];
    expect(step?.name).toBe("breaks");
    // DBOS 5.3.0's listWorkflowSteps revives a portable step error as an Error whose message is
    // the stored JSON ({"name","message","code","data"}); a superjson one as the Error itself.
    expect((step?.error as Error | undefined)?.message).toContain("step broke");
  });

  test("a child workflow: the parent's step names it, the child names its parent", async () => {
    const id = `parent-${format}`;
    await (await runWorkflow(ctx(), wf(ctx(), "parent"), 5, { workflowID: id })).getResult();
    const steps = (await client().listWorkflowSteps(id)) ?? [];
    expect(steps.some((s) => s.childWorkflowID === `${id}-child`)).toBe(true);
    expect((await client().getWorkflow(`${id}-child`))?.parentWorkflowID).toBe(id);
  });
});

describe("DBOS's client writes, durably runs", () => {
  test("enqueue in superjson: Date, BigInt and Set arrive, and DBOS reads the Map in the result", async () => {
    const input = { when, big: 21n, tags: new Set(["a"]) };
    const handle = await dbos.enqueue(
      { workflowName: "rich", queueName: "_dbos_internal_queue", workflowID: "dbos-rich" },
      input,
    );
    expect(await handle.getResult()).toEqual({ when, big: 42n, tags: new Set(["a"]), map: new Map([["k", 1]]) });
  });

  test("enqueuePortable: positional arguments in, plain JSON out", async () => {
    const handle = await dbos.enqueuePortable(
      { workflowName: "order", queueName: "_dbos_internal_queue", workflowID: "dbos-portable" },
      [{ n: 4 }],
    );
    expect(await handle.getResult()).toEqual({ doubled: 8, label: "order 8", note: null });
    const [row] = await listWorkflows(superjson, { workflowIDs: ["dbos-portable"] });
    expect(row?.serialization).toBe("portable_json");
  });

  test("cancel, then resume, a durably workflow from DBOS's client", async () => {
    const handle = await runWorkflow(superjson, wf(superjson, "waits"), undefined, { workflowID: "dbos-cancel" });
    await dbos.cancelWorkflow("dbos-cancel");
    await expect
      .poll(async () => (await dbos.getWorkflow("dbos-cancel"))?.status, { timeout: 15_000 })
      .toBe("CANCELLED");
    await dbos.resumeWorkflow("dbos-cancel");
    await dbos.send("dbos-cancel", "resumed", "go");
    expect(await dbos.retrieveWorkflow("dbos-cancel").getResult()).toBe("resumed");
    expect(handle.workflowID).toBe("dbos-cancel");
  });

  test.each([
    ["js_superjson", () => superjson, () => dbos],
    ["portable_json", () => portable, () => dbosPortable],
  ] as const)(
    "DBOS's forkWorkflow of a durably workflow (%s) replays the steps before startStep",
    async (format, ctx, client) => {
      const id = `fork-src-${format}`;
      await (await runWorkflow(ctx(), wf(ctx(), "order"), { n: 3 }, { workflowID: id })).getResult();
      const forkID = await client().forkWorkflow(id, 1, { newWorkflowID: `fork-${format}` });
      expect(await client().retrieveWorkflow(forkID).getResult()).toEqual({ doubled: 6, label: "order 6", note: null });
      expect(firstStepRuns.get(forkID) ?? 0).toBe(0);
      expect((await client().listWorkflowSteps(forkID))?.map((s) => s.name)).toEqual(["double", "label"]);
    },
  );

  test("DBOS's listWorkflows filters durably rows by name, status, queue and version", async () => {
    await (await runWorkflow(superjson, wf(superjson, "order"), { n: 1 }, { workflowID: "filter-1" })).getResult();
    const rows = await dbos.listWorkflows({ workflowName: "order", status: "SUCCESS", applicationVersion: "wf-v1" });
    expect(rows.map((r) => r.workflowID)).toContain("filter-1");
    const queued = await dbos.listWorkflows({ queueName: "_dbos_internal_queue", workflowIDs: ["dbos-rich"] });
    expect(queued.map((r) => r.workflowID)).toEqual(["dbos-rich"]);
  });
});
