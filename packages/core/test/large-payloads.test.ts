// Large values: a 20 MB step output end to end, the maxPayloadBytes limit (PAYLOAD_TOO_LARGE
// before anything is written), and a replay reading large step outputs one step at a time.
import { useTestDatabase } from "@durably/testing/vitest";
import { migratedTemplate, openSystemDatabase, type SystemDatabase } from "@durably/sysdb";
import { loadCheckpoints } from "@durably/sysdb/queries";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createDBOSContext,
  forkWorkflow,
  getWorkflowSteps,
  isDurablyError,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "../src/index.js";
import { testContext } from "./support/test-context.js";
import { withSql } from "./support/with-sql.js";

const db = useTestDatabase({ template: migratedTemplate });
const twentyMB = 20 * 1000 * 1000;

describe("large values", () => {
  let ctx: DBOSContext;
  let small: DBOSContext;
  const workflows = {} as Record<string, ReturnType<typeof registerWorkflow<any, any>>>;
  const stepRuns: string[] = [];

  beforeAll(async () => {
    ctx = testContext(db.url);
    workflows.huge = registerWorkflow(ctx, async function huge(wctx: DBOSContext, fill: string) {
      const doc = await runAsStep(wctx, async () => fill.repeat(twentyMB), { name: "render" });
      return doc;
    });
    workflows.bigSteps = registerWorkflow(ctx, async function bigSteps(wctx: DBOSContext) {
      const parts: number[] = [];
      for (const fill of ["a", "b", "c"]) {
        const value = await runAsStep(wctx, async () => (stepRuns.push(fill), fill.repeat(300_000)), { name: fill });
        parts.push(value.length + value.charCodeAt(0));
      }
      return parts;
    });
    await launch(ctx);
    small = testContext(db.url, { appName: "small-app", maxPayloadBytes: 1024 });
    workflows.echo = registerWorkflow(small, async function echo(wctx: DBOSContext, size: number) {
      return runAsStep(wctx, async () => "x".repeat(size), { name: "make-report" });
    });
    await launch(small);
  });
  afterAll(async () => {
    await shutdown(small);
    await shutdown(ctx);
  });

  test("a 20 MB step output is checkpointed, returned and stored as the workflow's output", async () => {
    const handle = await runWorkflow(ctx, workflows.huge!, "z", { workflowID: "huge-1" });
    const result = (await handle.getResult({ timeoutMs: 120_000 })) as string;
    expect(result.length).toBe(twentyMB);
    await withSql(db.url, async (sql) => {
      const [step] = await sql`select octet_length(output) as bytes from dbos.operation_outputs
        where workflow_uuid = 'huge-1' and function_id = 0`;
      const [status] = await sql`select s.status, octet_length(o.output) as bytes from dbos.workflow_status s
        join dbos.workflow_output o using (workflow_uuid) where workflow_uuid = 'huge-1'`;
      expect(Number(step!.bytes)).toBeGreaterThan(twentyMB);
      expect(status!.status).toBe("SUCCESS");
      expect(Number(status!.bytes)).toBeGreaterThan(twentyMB);
    });
  }, 180_000);

  test("a step output over maxPayloadBytes fails the step with PAYLOAD_TOO_LARGE naming it; no output is stored", async () => {
    const error = await (await runWorkflow(small, workflows.echo!, 5000, { workflowID: "too-big-step" }))
      .getResult()
      .catch((e: unknown) => e);
    expect(isDurablyError(error, "PAYLOAD_TOO_LARGE")).toBe(true);
    expect((error as Error).message).toContain("step make-report");
    expect((error as Error).message).toMatch(/\(50\d\d bytes\), over the limit of 1\.0 KiB/);
    await withSql(db.url, async (sql) => {
      const rows = await sql`select output, error from dbos.operation_outputs where workflow_uuid = 'too-big-step'`;
      expect(rows).toHaveLength(1);
      expect(rows[0]!.output).toBeNull();
      expect(rows[0]!.error).toContain("PAYLOAD_TOO_LARGE");
    });
  });

  test("a value just under the limit is stored", async () => {
    const handle = await runWorkflow(small, workflows.echo!, 900);
    expect(((await handle.getResult()) as string).length).toBe(900);
  });

  test("a workflow input over maxPayloadBytes fails at start and writes nothing", async () => {
    await expect(
      runWorkflow(small, workflows.echo!, "y".repeat(4000) as unknown as number, { workflowID: "too-big-input" }),
    ).rejects.toSatisfy(
      (e) => isDurablyError(e, "PAYLOAD_TOO_LARGE") && (e as Error).message.includes("input of workflow echo"),
    );
    await withSql(db.url, async (sql) => {
      expect(await sql`select 1 from dbos.workflow_status where workflow_uuid = 'too-big-input'`).toHaveLength(0);
    });
  });

  test("maxPayloadBytes is validated", () => {
    for (const maxPayloadBytes of [10, 1.5, 2_000_000_000, "1mb"]) {
      expect(() =>
        createDBOSContext({ appName: "x", systemDatabaseUrl: db.url, maxPayloadBytes: maxPayloadBytes as number }),
      ).toThrow(expect.objectContaining({ code: "INVALID_CONFIG" }));
    }
  });

  test("a replay reads step outputs over the inline size one step at a time and returns them intact", async () => {
    const first = await runWorkflow(ctx, workflows.bigSteps!, undefined, { workflowID: "big-steps" });
    const expected = [300_000 + 97, 300_000 + 98, 300_000 + 99];
    expect(await first.getResult()).toEqual(expected);
    // Premise: the replay's load leaves these outputs out (they exceed the inline size).
    const loaded = await withSystemDatabase(db.url, (sysdb) => loadCheckpoints(sysdb, "big-steps"));
    expect([...loaded.values()].map((c) => [c.output, c.payloadDeferred])).toEqual([
      [null, true],
      [null, true],
      [null, true],
    ]);
    const fork = await forkWorkflow(ctx, "big-steps", { startStep: 2, newWorkflowID: "big-steps-fork" });
    expect(await fork.getResult({ timeoutMs: 30_000 })).toEqual(expected);
    // Steps a and b replayed (from their deferred payloads); only c ran again.
    expect(stepRuns).toEqual(["a", "b", "c", "c"]);
  });
});

async function withSystemDatabase<T>(url: string, fn: (sysdb: SystemDatabase) => Promise<T>): Promise<T> {
  const sysdb = openSystemDatabase({ url, poolSize: 1 });
  try {
    return await fn(sysdb);
  } finally {
    await sysdb.close();
  }
}

describe("step listings", () => {
  test("getWorkflowSteps with loadPayloads: false reads no output, and its option is checked", async () => {
    const ctx = testContext(db.url, { appName: "listing-app" });
    const big = registerWorkflow(ctx, async function bigListing(wctx: DBOSContext) {
      await runAsStep(wctx, async () => "q".repeat(1_000_000), { name: "big" });
      return runAsStep(wctx, async () => 2, { name: "small" });
    });
    await launch(ctx);
    try {
      await (await runWorkflow(ctx, big, undefined, { workflowID: "listing-1" })).getResult();
      const full = await getWorkflowSteps(ctx, "listing-1");
      expect(full.map((s) => [s.name, typeof s.output === "string" ? s.output.length : s.output])).toEqual([
        ["big", 1_000_000],
        ["small", 2],
      ]);
      const bare = await getWorkflowSteps(ctx, "listing-1", { loadPayloads: false });
      expect(bare.map((s) => [s.stepID, s.name, s.output, s.error])).toEqual([
        [0, "big", undefined, undefined],
        [1, "small", undefined, undefined],
      ]);
      await expect(getWorkflowSteps(ctx, "listing-1", { loadPayload: false } as never)).rejects.toSatisfy((e) =>
        isDurablyError(e, "INVALID_ARGUMENT"),
      );
    } finally {
      await shutdown(ctx);
    }
  });
});
