// patched / deprecatePatch across a code change, and what a diverging replay does (UNEXPECTED_STEP, row left PENDING).
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { describe, expect, test } from "vitest";
import {
  deprecatePatch,
  getWorkflowSteps,
  isDurablyError,
  launch,
  patched,
  registerWorkflow,
  resumeWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "../src/index.js";
import { testContext, type RecordingLogger } from "./support/test-context.js";
import { withSql as withSqlAt, type Sql } from "./support/with-sql.js";

const db = useTestDatabase({ template: migratedTemplate });
const withSql = <T>(fn: (sql: Sql) => Promise<T>) => withSqlAt(db.url, fn);

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const stepsOf = (id: string) =>
  withSql(
    (sql) => sql<{ function_id: number; function_name: string; output: string | null }[]>`
    select function_id, function_name, output from dbos.operation_outputs
    where workflow_uuid = ${id} order by function_id`,
  );
const statusOf = async (id: string) =>
  (await withSql((sql) => sql`select status from dbos.workflow_status where workflow_uuid = ${id}`))[0]?.status;

/**
 * Starts `id` on old code that records "a" then blocks in "wait"; returns once "a" is recorded and the context is shut
 * down.
 */
async function startOnOldCode(id: string, afterPatchPoint: boolean): Promise<void> {
  const blocked = gate();
  const ctx = testContext(db.url, { executorId: `old-${id}` });
  const wf = registerWorkflow(ctx, async function order(wctx: DBOSContext) {
    if (afterPatchPoint) await runAsStep(wctx, async () => "a", { name: "a" });
    await runAsStep(wctx, () => blocked.opened.then(() => "w"), { name: "wait" });
    return "old";
  });
  await launch(ctx);
  await runWorkflow(ctx, wf, undefined, { workflowID: id });
  if (afterPatchPoint) await expect.poll(async () => (await stepsOf(id)).length).toBe(1);
  await shutdown(ctx, { drainMs: 0 });
  blocked.open();
}

describe("patched", () => {
  test("a new run records the marker and takes the new path; its replay does too", async () => {
    const ctx = testContext(db.url);
    const wf = registerWorkflow(ctx, async function fresh(wctx: DBOSContext) {
      const isNew = await patched(wctx, "p1");
      const again = await patched(wctx, "p1-second");
      await runAsStep(wctx, async () => "x", { name: "x" });
      return { isNew, again };
    });
    await launch(ctx);
    try {
      expect(await (await runWorkflow(ctx, wf, undefined, { workflowID: "fresh-1" })).getResult()).toEqual({
        isNew: true,
        again: true,
      });
      expect(await stepsOf("fresh-1")).toEqual([
        { function_id: 0, function_name: "DBOS.patch-p1", output: null },
        { function_id: 1, function_name: "DBOS.patch-p1-second", output: null },
        { function_id: 2, function_name: "x", output: expect.any(String) },
      ]);
      const steps = await getWorkflowSteps(ctx, "fresh-1");
      expect(steps.map((s) => s.name)).toEqual(["DBOS.patch-p1", "DBOS.patch-p1-second", "x"]);
    } finally {
      await shutdown(ctx);
    }
  });

  test(
    "runs past the patch point replay the old path (false, " + "no step ID used); runs before it take the new path",
    async () => {
      await startOnOldCode("past-1", true);
      await startOnOldCode("before-1", false);
      expect(await stepsOf("past-1")).toHaveLength(1);
      expect(await stepsOf("before-1")).toHaveLength(0);

      const ctx = testContext(db.url, { executorId: "new" });
      registerWorkflow(ctx, async function order(wctx: DBOSContext) {
        if (await patched(wctx, "insert-b")) {
          await runAsStep(wctx, async () => "b", { name: "b" }); // the new step, before "a"
          await runAsStep(wctx, async () => "a", { name: "a" });
          await runAsStep(wctx, async () => "w", { name: "wait" });
          return "new";
        }
        await runAsStep(wctx, async () => "a", { name: "a" });
        await runAsStep(wctx, async () => "w", { name: "wait" });
        return "old";
      });
      await launch(ctx);
      try {
        for (const id of ["past-1", "before-1"]) await resumeWorkflow(ctx, id);
        expect(await (await retrieveWorkflow(ctx, "past-1")).getResult({ timeoutMs: 10_000 })).toBe("old");
        expect(await (await retrieveWorkflow(ctx, "before-1")).getResult({ timeoutMs: 10_000 })).toBe("new");
        expect((await stepsOf("past-1")).map((s) => s.function_name)).toEqual(["a", "wait"]);
        expect((await stepsOf("before-1")).map((s) => s.function_name)).toEqual([
          "DBOS.patch-insert-b",
          "b",
          "a",
          "wait",
        ]);
      } finally {
        await shutdown(ctx);
      }
    },
  );

  test("deprecatePatch skips a recorded marker and records nothing for new runs", async () => {
    const ctx = testContext(db.url);
    const blocked = gate();
    const v2 = registerWorkflow(ctx, async function deprecating(wctx: DBOSContext, block: boolean) {
      if (await patched(wctx, "p")) await runAsStep(wctx, async () => "b", { name: "b" });
      await runAsStep(wctx, () => (block ? blocked.opened : Promise.resolve()).then(() => "c"), { name: "c" });
    });
    await launch(ctx);
    await runWorkflow(ctx, v2, true, { workflowID: "marked-1" });
    await expect.poll(async () => (await stepsOf("marked-1")).length).toBe(2);
    await shutdown(ctx, { drainMs: 0 });
    blocked.open();

    const next = testContext(db.url);
    const v3 = registerWorkflow(next, async function deprecating(wctx: DBOSContext) {
      await deprecatePatch(wctx, "p");
      await runAsStep(wctx, async () => "b", { name: "b" });
      await runAsStep(wctx, async () => "c", { name: "c" });
      return "done";
    });
    await launch(next);
    try {
      expect(await (await retrieveWorkflow(next, "marked-1")).getResult({ timeoutMs: 10_000 })).toBe("done");
      expect((await stepsOf("marked-1")).map((s) => s.function_name)).toEqual(["DBOS.patch-p", "b", "c"]);
      expect(await (await runWorkflow(next, v3, undefined, { workflowID: "unmarked-1" })).getResult()).toBe("done");
      expect((await stepsOf("unmarked-1")).map((s) => s.function_name)).toEqual(["b", "c"]);
    } finally {
      await shutdown(next);
    }
  });

  test("arguments are validated with typed errors; outside a workflow it is refused", async () => {
    const ctx = testContext(db.url);
    const seen: unknown[] = [];
    const wf = registerWorkflow(ctx, async function badPatch(wctx: DBOSContext) {
      for (const id of ["", 42, "x".repeat(201)]) seen.push(await patched(wctx, id as string).catch((e: unknown) => e));
      seen.push(await deprecatePatch(wctx, "").catch((e: unknown) => e));
      seen.push(await runAsStep(wctx, () => patched(wctx, "inside"), { name: "s" }).catch((e: unknown) => e));
    });
    await launch(ctx);
    try {
      await (await runWorkflow(ctx, wf, undefined)).getResult();
      expect(seen.slice(0, 4).every((e) => isDurablyError(e, "INVALID_ARGUMENT"))).toBe(true);
      expect((seen[0] as Error).message).toMatch(/patched: patchID must be a non-empty string/);
      expect(isDurablyError(seen[4], "NESTED_DURABLE_OPERATION")).toBe(true);
      const outside = await patched(ctx, "p").catch((e: unknown) => e);
      expect(isDurablyError(outside, "INVALID_ARGUMENT")).toBe(true);
      expect((outside as Error).message).toMatch(/inside a workflow/);
    } finally {
      await shutdown(ctx);
    }
  });
});

describe("divergence", () => {
  test(
    "an unguarded change fails with UNEXPECTED_STEP naming everything; the row stays PENDING and untouched; " +
      "resume after a fix finishes it",
    async () => {
      await startOnOldCode("drift-1", true);
      const before = await stepsOf("drift-1");
      expect(before.map((s) => s.function_name)).toEqual(["a"]);

      const broken = testContext(db.url, { executorId: "broken" }); // same version v1, unguarded change
      registerWorkflow(broken, async function order(wctx: DBOSContext) {
        const caught = await runAsStep(wctx, async () => "b", { name: "b" }).catch((e: unknown) => e);
        // Catching the error does not let the run go on: every later step throws it too.
        await runAsStep(wctx, async () => "a", { name: "a" });
        return caught;
      });
      await launch(broken);
      try {
        await resumeWorkflow(broken, "drift-1");
        const logger = broken.runtime.logger as RecordingLogger;
        await expect
          .poll(() => logger.lines.find((l) => l.level === "error" && /diverged/.test(l.message)), { timeout: 10_000 })
          .toBeDefined();
        const line = logger.lines.find((l) => l.level === "error" && /diverged/.test(l.message))!;
        const error = (line.fields as { error: Error }).error;
        expect(isDurablyError(error, "UNEXPECTED_STEP")).toBe(true);
        expect(error.message).toMatch(
          /drift-1 \(order\).*step 0 was recorded as "a" by application version v1, but this code calls "b"/,
        );
        expect(await statusOf("drift-1")).toBe("PENDING");
        expect(await stepsOf("drift-1")).toEqual(before);
      } finally {
        await shutdown(broken);
      }

      const fixed = testContext(db.url, { executorId: "fixed", applicationVersion: "v1" });
      registerWorkflow(fixed, async function order(wctx: DBOSContext) {
        await runAsStep(wctx, async () => "a", { name: "a" });
        await runAsStep(wctx, async () => "w", { name: "wait" });
        return "fixed";
      });
      await launch(fixed);
      try {
        await resumeWorkflow(fixed, "drift-1");
        expect(await (await retrieveWorkflow(fixed, "drift-1")).getResult({ timeoutMs: 10_000 })).toBe("fixed");
      } finally {
        await shutdown(fixed);
      }
    },
  );
});
