// Step timeouts: the step's signal aborts, the attempt fails with TIMEOUT, retries apply, and a
// step that ignores its signal is abandoned rather than awaited.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  isDurablyError,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";
import { withSql } from "./support/with-sql.js";
import { testContext } from "./support/test-context.js";

const db = useTestDatabase({ template: migratedTemplate });

/** Settles only when `signal` aborts, with its reason: a step that honours its signal. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}

describe("runAsStep timeoutMs", () => {
  let ctx: DBOSContext;
  const workflows = {} as Record<string, ReturnType<typeof registerWorkflow<any, any>>>;
  const reasons: unknown[] = [];
  let attempts = 0;

  beforeAll(async () => {
    ctx = testContext(db.url);
    workflows.honours = registerWorkflow(ctx, async function honours(wctx: DBOSContext) {
      return runAsStep(
        wctx,
        async (sctx) => {
          if (++attempts <= 2) {
            try {
              return await untilAborted(sctx.signal);
            } catch (error) {
              reasons.push(error);
              throw error;
            }
          }
          return `done on attempt ${attempts}`;
        },
        { name: "slow", timeoutMs: 50, maxRetries: 2, intervalMs: 1 },
      );
    });
    workflows.ignores = registerWorkflow(ctx, async function ignores(wctx: DBOSContext, maxRetries: number) {
      const first = await runAsStep(wctx, () => new Promise<string>(() => {}), {
        name: "stuck",
        timeoutMs: 30,
        maxRetries,
        intervalMs: 1,
      });
      return first;
    });
    workflows.quick = registerWorkflow(ctx, async function quick(wctx: DBOSContext) {
      return runAsStep(wctx, () => "fast", { name: "fast", timeoutMs: 60_000 });
    });
    workflows.badTimeout = registerWorkflow(ctx, async function badTimeout(wctx: DBOSContext, timeoutMs: unknown) {
      return runAsStep(wctx, () => 1, { name: "bad", timeoutMs: timeoutMs as number });
    });
    await launch(ctx);
  });
  afterAll(() => shutdown(ctx));

  test("a timed-out attempt aborts the step's signal with TIMEOUT and is retried", async () => {
    const handle = await runWorkflow(ctx, workflows.honours!, undefined, { workflowID: "honours-1" });
    expect(await handle.getResult()).toBe("done on attempt 3");
    expect(reasons).toHaveLength(2);
    for (const reason of reasons) expect(isDurablyError(reason, "TIMEOUT")).toBe(true);
    expect((reasons[0] as Error).message).toMatch(/Step slow of workflow honours-1 timed out after 50 ms/);
  });

  test("a step that ignores its signal is abandoned, and its TIMEOUT is recorded when no retry is left", async () => {
    const handle = await runWorkflow(ctx, workflows.ignores!, 0, { workflowID: "ignores-0" });
    const error = await handle.getResult().catch((e: unknown) => e);
    expect(isDurablyError(error, "TIMEOUT")).toBe(true);
    expect((await handle.getStatus())?.status).toBe("ERROR");
    await withSql(db.url, async (sql) => {
      const rows = await sql`select function_name, output, error from dbos.operation_outputs
          where workflow_uuid = 'ignores-0'`;
      expect(rows).toHaveLength(1);
      expect(rows[0]!.function_name).toBe("stuck");
      expect(rows[0]!.output).toBeNull();
      expect(rows[0]!.error).toContain("timed out after 30 ms");
    });
  });

  test("retries that all time out give up with MAX_STEP_RETRIES_EXCEEDED, caused by TIMEOUT", async () => {
    const handle = await runWorkflow(ctx, workflows.ignores!, 2, { workflowID: "ignores-2" });
    const error = await handle.getResult().catch((e: unknown) => e);
    expect(isDurablyError(error, "MAX_STEP_RETRIES_EXCEEDED")).toBe(true);
    expect((error as Error).message).toMatch(/failed 3 times; the last error: Step stuck .* timed out after 30 ms/);
  });

  test("a step within its time is unaffected", async () => {
    const handle = await runWorkflow(ctx, workflows.quick!, undefined, { workflowID: "quick-1" });
    expect(await handle.getResult()).toBe("fast");
  });

  test.each([0, -5, Number.NaN, "100", 2 ** 31])("timeoutMs %s is an INVALID_ARGUMENT naming it", async (bad) => {
    const handle = await runWorkflow(ctx, workflows.badTimeout!, bad, { workflowID: `bad-${String(bad)}` });
    const error = await handle.getResult().catch((e: unknown) => e);
    expect(isDurablyError(error, "INVALID_ARGUMENT")).toBe(true);
    expect((error as Error).message).toMatch(/runAsStep: timeoutMs must be a finite number > 0 and <= 2147483647/);
  });
});
