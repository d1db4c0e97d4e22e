// Recovery, determinism, cancellation, timeouts, children, sleep, fork and dead-letter.
import { useTestDatabase } from "@durably/testing/vitest";
import { describe, expect, test } from "vitest";
import {
  cancelWorkflow,
  forkWorkflow,
  getWorkflowSteps,
  isDurablyError,
  launch,
  listWorkflows,
  recoverPendingWorkflows,
  registerWorkflow,
  resumeWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
} from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";
import { testContext, type RecordingLogger } from "./support/test-context.js";
import { withSql as withSqlAt, type Sql } from "./support/with-sql.js";

const db = useTestDatabase({ template: migratedTemplate });

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const withSql = <T>(fn: (sql: Sql) => Promise<T>) => withSqlAt(db.url, fn);

describe("recovery", () => {
  test("a relaunch resumes PENDING workflows from their last checkpoint; committed steps never run again", async () => {
    const runs: string[] = [];
    const blocked = gate();
    const first = testContext(db.url);
    const define = (ctx: DBOSContext, block: boolean) =>
      registerWorkflow(ctx, async function order(wctx: DBOSContext, id: string) {
        const reserved = await runAsStep(wctx, async () => (runs.push("reserve"), `r-${id}`), { name: "reserve" });
        const charged = await runAsStep(
          wctx,
          async () => {
            runs.push("charge");
            if (block) await blocked.opened; // the process "dies" here
            return `c-${id}`;
          },
          { name: "charge" },
        );
        return `${reserved}/${charged}`;
      });
    const wf1 = define(first, true);
    await launch(first);
    await runWorkflow(first, wf1, "7", { workflowID: "recover-me" });
    await expect.poll(() => runs.length).toBe(2);
    await shutdown(first, { timeoutMs: 0 });
    expect(
      await withSql((sql) => sql`select status from dbos.workflow_status where workflow_uuid = 'recover-me'`),
    ).toEqual([{ status: "PENDING" }]);

    const second = testContext(db.url);
    define(second, false);
    await launch(second);
    try {
      const handle = await retrieveWorkflow<string>(second, "recover-me");
      expect(await handle.getResult()).toBe("r-7/c-7");
      expect(runs).toEqual(["reserve", "charge", "charge"]);
      expect((await handle.getStatus())?.attempts).toBe(2);
    } finally {
      await shutdown(second);
      blocked.open();
    }
  });

  test("replaying with a different step at a recorded step ID is a determinism error naming both", async () => {
    const blocked = gate();
    const first = testContext(db.url);
    const wf = registerWorkflow(first, async function drift(wctx: DBOSContext) {
      await runAsStep(wctx, async () => 1, { name: "alpha" });
      await runAsStep(wctx, () => blocked.opened, { name: "wait" });
    });
    await launch(first);
    await runWorkflow(first, wf, undefined, { workflowID: "drift-1" });
    await expect
      .poll(() =>
        withSql((sql) => sql`select count(*)::int as n from dbos.operation_outputs where workflow_uuid = 'drift-1'`),
      )
      .toEqual([{ n: 1 }]);
    await shutdown(first, { timeoutMs: 0 });

    const second = testContext(db.url);
    registerWorkflow(second, async function drift(wctx: DBOSContext) {
      await runAsStep(wctx, async () => 1, { name: "beta" });
    });
    await launch(second);
    try {
      // The run stops without recording an outcome (the row stays PENDING): the error is in the log.
      const logger = second.runtime.logger as RecordingLogger;
      const diverged = () => logger.lines.find((l) => l.level === "error" && /diverged/.test(l.message));
      await expect.poll(diverged, { timeout: 10_000 }).toBeDefined();
      const error = (diverged()!.fields as { error: unknown }).error;
      expect(isDurablyError(error, "UNEXPECTED_STEP")).toBe(true);
      expect((error as Error).message).toMatch(/drift-1.*step 0.*"alpha".*"beta"/);
      expect(
        await withSql((sql) => sql`select status from dbos.workflow_status where workflow_uuid = 'drift-1'`),
      ).toEqual([{ status: "PENDING" }]);
    } finally {
      await shutdown(second);
      blocked.open();
    }
  });

  test("a workflow recovered more than maxRecoveryAttempts times is dead-lettered", async () => {
    const ctx = testContext(db.url);
    const wf = registerWorkflow(
      ctx,
      async function poison(wctx: DBOSContext) {
        await runAsStep(wctx, () => new Promise(() => undefined), { name: "hang" });
      },
      { maxRecoveryAttempts: 2 },
    );
    await launch(ctx);
    await runWorkflow(ctx, wf, undefined, { workflowID: "poison-1" });
    await shutdown(ctx, { timeoutMs: 0 });
    await withSql((sql) => sql`update dbos.workflow_status set recovery_attempts = 3 where workflow_uuid = 'poison-1'`);

    const again = testContext(db.url);
    registerWorkflow(again, async function poison() {}, { maxRecoveryAttempts: 2 });
    await launch(again);
    try {
      const error = await (await retrieveWorkflow(again, "poison-1")).getResult().catch((e: unknown) => e);
      expect(isDurablyError(error, "DEAD_LETTER")).toBe(true);
      expect((await listWorkflows(again, { workflowIDs: ["poison-1"] }))[0]?.status).toBe(
        "MAX_RECOVERY_ATTEMPTS_EXCEEDED",
      );
    } finally {
      await shutdown(again);
    }
  });
});

describe("cancellation, timeouts, outcome ownership", () => {
  test(
    "cancel stops at the step boundary, aborts the signal, and does not checkpoint the interrupted step; " +
      "resume finishes it",
    async () => {
      const ctx = testContext(db.url);
      let attempts = 0;
      const release = gate();
      const wf = registerWorkflow(ctx, async function cancellable(wctx: DBOSContext) {
        await runAsStep(wctx, async () => "first", { name: "first" });
        await runAsStep(
          wctx,
          async (s) => {
            attempts++;
            if (attempts === 1)
              await new Promise((_, reject) => s.signal.addEventListener("abort", () => reject(s.signal.reason)));
            else await release.opened;
          },
          { name: "long" },
        );
        return "done";
      });
      await launch(ctx);
      try {
        const handle = await runWorkflow(ctx, wf, undefined, { workflowID: "cancel-me" });
        await expect.poll(() => attempts).toBe(1);
        await cancelWorkflow(ctx, "cancel-me");
        await expect(handle.getResult()).rejects.toSatisfy((e) => isDurablyError(e, "WORKFLOW_CANCELLED"));
        expect((await getWorkflowSteps(ctx, "cancel-me")).map((s) => s.name)).toEqual(["first"]);

        release.open();
        const resumed = await resumeWorkflow<string>(ctx, "cancel-me");
        expect(await resumed.getResult({ timeoutMs: 10_000 })).toBe("done");
        expect(attempts).toBe(2);
        expect((await getWorkflowSteps(ctx, "cancel-me")).map((s) => s.name)).toEqual(["first", "long"]);
      } finally {
        await shutdown(ctx);
      }
    },
  );

  test("a workflow past its deadline is CANCELLED, and a child inherits the deadline", async () => {
    const ctx = testContext(db.url);
    const child = registerWorkflow(ctx, async function slowChild(wctx: DBOSContext) {
      await sleep(wctx, 60_000);
    });
    const parent = registerWorkflow(ctx, async function slowParent(wctx: DBOSContext) {
      const handle = await runWorkflow(wctx, child, undefined);
      return handle.getResult();
    });
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, parent, undefined, { workflowID: "deadline", timeoutMs: 300 });
      await expect(handle.getResult()).rejects.toSatisfy((e) => isDurablyError(e, "WORKFLOW_CANCELLED"));
      const rows: any[] = await withSql(
        (sql) => sql`select workflow_uuid, status, workflow_deadline_epoch_ms::float8 as d, parent_workflow_id
            from dbos.workflow_status where workflow_uuid like 'deadline%' order by 1`,
      );
      expect(rows.map((r) => r.workflow_uuid)).toEqual(["deadline", "deadline-0"]);
      expect(rows[1]?.d).toBe(rows[0]?.d);
      expect(rows[1]?.parent_workflow_id).toBe("deadline");
      await expect
        .poll(async () => (await listWorkflows(ctx, { workflowIDs: ["deadline-0"] }))[0]?.status)
        .toBe("CANCELLED");
    } finally {
      await shutdown(ctx);
    }
  });

  test("a run whose row got an outcome elsewhere never writes a second one and adopts the recorded one", async () => {
    const ctx = testContext(db.url);
    const release = gate();
    const wf = registerWorkflow(ctx, async function fenced(wctx: DBOSContext) {
      await runAsStep(wctx, () => release.opened, { name: "wait" });
      return "mine";
    });
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, wf, undefined, { workflowID: "fenced" });
      await withSql(async (sql) => {
        await sql`update dbos.workflow_status set status = 'SUCCESS', owner_xid = null where workflow_uuid = 'fenced'`;
        await sql`insert into dbos.workflow_output (workflow_uuid, output)
          values ('fenced', '{"json":"theirs","__dbos_serializer":"superjson"}')`;
      });
      release.open();
      expect(await handle.getResult()).toBe("theirs");
      expect(await getWorkflowSteps(ctx, "fenced")).toEqual([]);
    } finally {
      await shutdown(ctx);
    }
  });
});

describe("children, sleep, fork", () => {
  test("a child's ID defaults to <parent>-<step>; awaiting it is a recorded step", async () => {
    const ctx = testContext(db.url);
    const child = registerWorkflow(ctx, async function double(_wctx: DBOSContext, n: number) {
      return n * 2;
    });
    const parent = registerWorkflow(ctx, async function parentWf(wctx: DBOSContext, n: number) {
      const handle = await runWorkflow(wctx, child, n);
      return (await handle.getResult()) + 1;
    });
    await launch(ctx);
    try {
      expect(await (await runWorkflow(ctx, parent, 20, { workflowID: "p" })).getResult()).toBe(41);
      const steps = await getWorkflowSteps(ctx, "p");
      expect(steps.map((s) => [s.stepID, s.name, s.childWorkflowID, s.output])).toEqual([
        [0, "double", "p-0", undefined],
        [1, "DBOS.getResult", "p-0", 40],
      ]);
    } finally {
      await shutdown(ctx);
    }
  });

  test("sleep records its wake-up time as a portable_json step", async () => {
    const ctx = testContext(db.url);
    const wf = registerWorkflow(ctx, async function napper(wctx: DBOSContext) {
      await sleep(wctx, 50);
      return "awake";
    });
    await launch(ctx);
    try {
      const started = Date.now();
      expect(await (await runWorkflow(ctx, wf, undefined, { workflowID: "nap" })).getResult()).toBe("awake");
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      const [row]: any[] = await withSql(
        (sql) =>
          sql`select function_name, output, serialization from dbos.operation_outputs where workflow_uuid = 'nap'`,
      );
      expect(row?.function_name).toBe("DBOS.sleep");
      expect(row?.serialization).toBe("portable_json");
      expect(Number(row?.output)).toBeGreaterThanOrEqual(started + 50);
    } finally {
      await shutdown(ctx);
    }
  });

  test("fork replays the steps before startStep and re-runs the rest", async () => {
    const ctx = testContext(db.url);
    const runs: string[] = [];
    const wf = registerWorkflow(ctx, async function forkable(wctx: DBOSContext, n: number) {
      const a = await runAsStep(wctx, async () => (runs.push("a"), n + 1), { name: "a" });
      const b = await runAsStep(wctx, async () => (runs.push("b"), a + 1), { name: "b" });
      return b;
    });
    await launch(ctx);
    try {
      expect(await (await runWorkflow(ctx, wf, 1, { workflowID: "orig" })).getResult()).toBe(3);
      const fork = await forkWorkflow<number>(ctx, "orig", { startStep: 1, newWorkflowID: "forked" });
      expect(await fork.getResult({ timeoutMs: 10_000 })).toBe(3);
      expect(runs).toEqual(["a", "b", "b"]);
      const [forked] = await listWorkflows(ctx, { workflowIDs: ["forked"] });
      expect(forked?.forkedFrom).toBe("orig");
      await expect(forkWorkflow(ctx, "missing", { startStep: 0 })).rejects.toSatisfy((e) =>
        isDurablyError(e, "NONEXISTENT_WORKFLOW"),
      );
    } finally {
      await shutdown(ctx);
    }
  });
});

describe("taking over a lost executor's workflows", () => {
  test(
    "recoverPendingWorkflows re-enqueues another executor's PENDING workflows and a live executor finishes " + "them",
    async () => {
      const blocked = gate();
      const lost = testContext(db.url, { executorId: "lost-worker" });
      const define = (ctx: DBOSContext, block: boolean) =>
        registerWorkflow(ctx, async function takeover(wctx: DBOSContext) {
          const first = await runAsStep(wctx, async () => "kept", { name: "first" });
          await runAsStep(wctx, async () => (block ? blocked.opened : undefined), { name: "second" });
          return first;
        });
      const wf = define(lost, true);
      await launch(lost);
      await runWorkflow(lost, wf, undefined, { workflowID: "orphan" });
      await expect
        .poll(() =>
          withSql((sql) => sql`select count(*)::int as n from dbos.operation_outputs where workflow_uuid = 'orphan'`),
        )
        .toEqual([{ n: 1 }]);
      await shutdown(lost, { timeoutMs: 0 });

      const survivor = testContext(db.url, { executorId: "survivor" });
      define(survivor, false);
      await launch(survivor);
      try {
        expect(await recoverPendingWorkflows(survivor, ["lost-worker"])).toEqual(["orphan"]);
        expect(await (await retrieveWorkflow<string>(survivor, "orphan")).getResult({ timeoutMs: 10_000 })).toBe(
          "kept",
        );
        const [row] = await listWorkflows(survivor, { workflowIDs: ["orphan"] });
        expect(row?.executorID).toBe("survivor");
        await expect(recoverPendingWorkflows(survivor, [""])).rejects.toSatisfy((e) =>
          isDurablyError(e, "INVALID_ARGUMENT"),
        );
      } finally {
        await shutdown(survivor);
        blocked.open();
      }
    },
  );
});
