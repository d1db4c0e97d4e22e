// The core semantics of workflows and steps, against a real Postgres.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  getStepID,
  getWorkflowID,
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

describe("steps and workflows", () => {
  let ctx: DBOSContext;
  const calls: string[] = [];

  class PaymentDeclined extends Error {
    constructor(
      readonly code: string,
      readonly amount: number,
    ) {
      super(`declined: ${code}`);
      this.name = "PaymentDeclined";
    }
  }

  let flaky = 0;
  const workflows = {} as Record<string, ReturnType<typeof registerWorkflow<any, any>>>;

  beforeAll(async () => {
    ctx = testContext(db.url);
    workflows.threeSteps = registerWorkflow(ctx, async function threeSteps(wctx: DBOSContext, n: number) {
      const a = await runAsStep(wctx, async () => (calls.push("one"), n + 1), { name: "one" });
      const b = await runAsStep(wctx, async () => (calls.push("two"), a * 2), { name: "two" });
      const c = await runAsStep(wctx, async () => (calls.push("three"), `${b}!`), { name: "three" });
      return { id: getWorkflowID(wctx), c, next: getStepID(wctx) };
    });
    workflows.parallel = registerWorkflow(ctx, async function parallel(wctx: DBOSContext, n: number) {
      const delays = Array.from({ length: n }, (_, i) => (n - i) * 3);
      return Promise.all(
        delays.map((ms, i) => runAsStep(wctx, () => new Promise((r) => setTimeout(() => r(i), ms)), { name: `s${i}` })),
      );
    });
    workflows.fails = registerWorkflow(ctx, async function fails(wctx: DBOSContext) {
      await runAsStep(
        wctx,
        async () => {
          throw new PaymentDeclined("E42", 300);
        },
        { name: "charge" },
      );
    });
    workflows.flaky = registerWorkflow(ctx, async function flakyWorkflow(wctx: DBOSContext, failures: number) {
      return runAsStep(
        wctx,
        async () => {
          if (flaky++ < failures) throw new Error(`attempt ${flaky} failed`);
          return "ok";
        },
        { name: "flaky", maxRetries: 3, intervalMs: 5 },
      );
    });
    workflows.returnsFunction = registerWorkflow(ctx, async function returnsFunction(wctx: DBOSContext) {
      return runAsStep(wctx, async () => () => 1, { name: "bad" });
    });
    await launch(ctx);
  });
  afterAll(() => shutdown(ctx));

  test("runs each step once and records the result, the steps and the status", async () => {
    calls.length = 0;
    const handle = await runWorkflow(ctx, workflows.threeSteps!, 4, { workflowID: "three-1" });
    expect(await handle.getResult()).toEqual({ id: "three-1", c: "10!", next: 3 });
    expect(calls).toEqual(["one", "two", "three"]);
    const status = await handle.getStatus();
    expect(status?.status).toBe("SUCCESS");
    expect(status?.attempts).toBe(1);
    await withSql(db.url, async (sql) => {
      const steps = await sql`select function_id, function_name, serialization from dbos.operation_outputs
          where workflow_uuid = 'three-1' order by 1`;
      expect(steps.map((s: any) => [s.function_id, s.function_name, s.serialization])).toEqual([
        [0, "one", "js_superjson"],
        [1, "two", "js_superjson"],
        [2, "three", "js_superjson"],
      ]);
      const [row] = await sql`select w.status, w.owner_xid, w.inputs, o.output from dbos.workflow_status w
          join dbos.workflow_output o using (workflow_uuid) where workflow_uuid = 'three-1'`;
      expect(row?.status).toBe("SUCCESS");
      expect(row?.owner_xid).toBeNull();
      expect(row?.inputs).toBeNull(); // payloads live in the side tables, as DBOS 5.x writes them
      expect(JSON.parse(row?.output).__dbos_serializer).toBe("superjson");
    });
  });

  test("the workflow ID is the idempotency key: a second start returns the first run's result", async () => {
    calls.length = 0;
    const first = await runWorkflow(ctx, workflows.threeSteps!, 1, { workflowID: "idem" });
    const second = await runWorkflow(ctx, workflows.threeSteps!, 99, { workflowID: "idem" });
    expect(await second.getResult()).toEqual(await first.getResult());
    expect(calls).toEqual(["one", "two", "three"]);
    const third = await runWorkflow(ctx, workflows.threeSteps!, 50, { workflowID: "idem" });
    expect((await third.getResult()).c).toBe("4!");
    expect(calls).toHaveLength(3);
  });

  test("a workflow ID used by another workflow name is a conflict", async () => {
    await (await runWorkflow(ctx, workflows.threeSteps!, 1, { workflowID: "taken" })).getResult();
    await expect(runWorkflow(ctx, workflows.parallel!, 1, { workflowID: "taken" })).rejects.toSatisfy((e) =>
      isDurablyError(e, "WORKFLOW_CONFLICT"),
    );
  });

  test("steps started together get IDs in call order, whatever order they finish in", async () => {
    const handle = await runWorkflow(ctx, workflows.parallel!, 5, { workflowID: "par" });
    expect(await handle.getResult()).toEqual([0, 1, 2, 3, 4]);
    await withSql(db.url, async (sql) => {
      const steps =
        await sql`select function_id, function_name from dbos.operation_outputs where workflow_uuid = 'par' order by 1`;
      expect(steps.map((s: any) => `${s.function_id}:${s.function_name}`)).toEqual([
        "0:s0",
        "1:s1",
        "2:s2",
        "3:s3",
        "4:s4",
      ]);
    });
  });

  test("a step's error is recorded with its class name, message and custom fields, and rethrown", async () => {
    const handle = await runWorkflow(ctx, workflows.fails!, undefined, { workflowID: "fails" });
    const error = await handle.getResult().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "PaymentDeclined", message: "declined: E42", code: "E42", amount: 300 });
    expect((await handle.getStatus())?.status).toBe("ERROR");
  });

  test("retries with backoff until the step succeeds", async () => {
    flaky = 0;
    expect(await (await runWorkflow(ctx, workflows.flaky!, 2)).getResult()).toBe("ok");
    expect(flaky).toBe(3);
  });

  test("exhausted retries give an error carrying every attempt's error", async () => {
    flaky = 0;
    const error = await (await runWorkflow(ctx, workflows.flaky!, 10)).getResult().catch((e: unknown) => e);
    expect(isDurablyError(error, "MAX_STEP_RETRIES_EXCEEDED")).toBe(true);
    const errors = (error as { errors: Error[] }).errors;
    expect(errors.map((e) => e.message)).toEqual([
      "attempt 1 failed",
      "attempt 2 failed",
      "attempt 3 failed",
      "attempt 4 failed",
    ]);
  });

  test("a step output that cannot be serialized fails the step with a typed error", async () => {
    const error = await (await runWorkflow(ctx, workflows.returnsFunction!, undefined))
      .getResult()
      .catch((e: unknown) => e);
    expect(isDurablyError(error, "SERIALIZATION")).toBe(true);
  });

  test("an input that cannot be serialized fails at start and writes nothing", async () => {
    await expect(
      runWorkflow(ctx, workflows.threeSteps!, (() => 1) as unknown as number, { workflowID: "bad-input" }),
    ).rejects.toSatisfy((e) => isDurablyError(e, "SERIALIZATION"));
    await withSql(db.url, async (sql) => {
      expect(await sql`select 1 from dbos.workflow_status where workflow_uuid = 'bad-input'`).toHaveLength(0);
    });
  });

  test("runAsStep outside a workflow is a typed error", async () => {
    await expect(runAsStep(ctx, async () => 1)).rejects.toSatisfy((e) => isDurablyError(e, "INVALID_ARGUMENT"));
  });
});
