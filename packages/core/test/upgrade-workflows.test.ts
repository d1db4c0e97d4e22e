// upgradeWorkflows: PENDING and ENQUEUED workflows of one version move to another in one statement;
// a live worker of the new version resumes the PENDING ones from their checkpoints, a process of
// the old version still running one is fenced off, a dry run changes nothing, bad options refused.
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { migratedTemplate } from "@durably/sysdb";
import {
  createClient,
  enqueueWorkflow,
  getWorkflowSteps,
  isDurablyError,
  launch,
  listWorkflows,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  upgradeWorkflows,
  type DBOSContext,
} from "../src/index.js";
import { testContext } from "./support/test-context.js";

const db = useTestDatabase({ template: migratedTemplate });

/** A workflow that records step a, sleeps, then runs step b; `ran` counts each step's executions. */
function napper(ctx: DBOSContext, ran: string[], napMs: number) {
  return registerWorkflow(ctx, async function napper(wctx: DBOSContext) {
    await runAsStep(wctx, async () => void ran.push("a"), { name: "a" });
    await sleep(wctx, napMs);
    await runAsStep(wctx, async () => void ran.push("b"), { name: "b" });
    return "woke";
  });
}

const byVersion = async (client: DBOSContext, prefix: string) =>
  (await listWorkflows(client, { workflowIDPrefix: prefix, sortDesc: false })).map((w) => [
    w.workflowID,
    w.status,
    w.applicationVersion,
  ]);

test(
  "a dry run changes nothing; the upgrade moves v1's " + "waiting workflows to v2, whose live worker finishes them",
  async () => {
    const appName = "upgrade-moves";
    const ranOnV1: string[] = [];
    const ranOnV2: string[] = [];
    const v1 = testContext(db.url, { appName, applicationVersion: "v1", executorId: "w-v1" });
    const napperV1 = napper(v1, ranOnV1, 1_500);
    await launch(v1);
    const client = await createClient({ systemDatabaseUrl: db.url, appName });
    const v2 = testContext(db.url, { appName, applicationVersion: "v2", executorId: "w-v2" });
    napper(v2, ranOnV2, 1_500);
    try {
      for (const id of ["up-1", "up-2"]) await runWorkflow(v1, napperV1, undefined, { workflowID: id });
      for (const id of ["up-1", "up-2"]) {
        await expect.poll(async () => (await getWorkflowSteps(client, id)).length, { timeout: 10_000 }).toBe(2);
      }
      await enqueueWorkflow(client, "napper", undefined, {
        queue: "later",
        applicationVersion: "v1",
        workflowID: "up-3",
      });
      await shutdown(v1, { drainMs: 0 });
      await launch(v2);
      // The premise: v1's runs wait, and v2 (its own version only) leaves them.
      const stranded = [
        ["up-1", "PENDING", "v1"],
        ["up-2", "PENDING", "v1"],
        ["up-3", "ENQUEUED", "v1"],
      ];
      expect(await byVersion(client, "up-")).toEqual(stranded);

      const preview = await upgradeWorkflows(client, { from: "v1", to: "v2", dryRun: true });
      expect(preview).toEqual({
        from: "v1",
        to: "v2",
        dryRun: true,
        workflows: [
          { workflowID: "up-1", previousStatus: "PENDING" },
          { workflowID: "up-2", previousStatus: "PENDING" },
          { workflowID: "up-3", previousStatus: "ENQUEUED" },
        ],
        pending: 2,
        enqueued: 1,
        liveExecutorsOfTarget: 1,
      });
      expect(await byVersion(client, "up-")).toEqual(stranded);

      const done = await upgradeWorkflows(client, { from: "v1", to: "v2" });
      expect({ ...done, dryRun: true }).toEqual(preview);
      for (const id of ["up-1", "up-2"])
        expect(await (await retrieveWorkflow(client, id)).getResult({ timeoutMs: 20_000 })).toBe("woke");
      expect(await byVersion(client, "up-")).toEqual([
        ["up-1", "SUCCESS", "v2"],
        ["up-2", "SUCCESS", "v2"],
        ["up-3", "ENQUEUED", "v2"],
      ]);
      // Step a ran once, on v1; v2 replayed it and ran only b.
      expect(ranOnV1).toEqual(["a", "a"]);
      expect(ranOnV2).toEqual(["b", "b"]);
      expect((await upgradeWorkflows(client, { from: "v1", to: "v2" })).workflows).toEqual([]);
    } finally {
      await shutdown(v1, { drainMs: 0 });
      await shutdown(v2, { drainMs: 0 });
      await shutdown(client);
    }
  },
);

test(
  "a process of the old version still running a moved workflow is fenced off at its next step; the new " +
    "version finishes it",
  async () => {
    const appName = "upgrade-fences";
    const ran: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const v1 = testContext(db.url, { appName, applicationVersion: "v1", executorId: "w-v1" });
    const held = registerWorkflow(v1, async function held(wctx: DBOSContext) {
      await runAsStep(wctx, async () => gate.then(() => void ran.push("v1 gate")), { name: "gate" });
      return runAsStep(wctx, async () => (ran.push("v1 after"), "v1"), { name: "after" });
    });
    const v2 = testContext(db.url, { appName, applicationVersion: "v2", executorId: "w-v2" });
    registerWorkflow(v2, async function held(wctx: DBOSContext) {
      await runAsStep(wctx, async () => void ran.push("v2 gate"), { name: "gate" });
      return runAsStep(wctx, async () => (ran.push("v2 after"), "v2"), { name: "after" });
    });
    await launch(v1);
    await launch(v2);
    try {
      const handle = await runWorkflow(v1, held, undefined, { workflowID: "fenced-1" });
      const moved = await upgradeWorkflows(v2, { from: "v1", to: "v2" });
      expect(moved.workflows).toEqual([{ workflowID: "fenced-1", previousStatus: "PENDING" }]);
      expect(await (await retrieveWorkflow(v2, "fenced-1")).getResult({ timeoutMs: 20_000 })).toBe("v2");
      release();
      // v1's run ended its step but could not record it: it stops without running "after".
      await expect(handle.getResult({ timeoutMs: 5_000 })).resolves.toBe("v2");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ran).toEqual(["v2 gate", "v2 after", "v1 gate"]);
      expect((await getWorkflowSteps(v2, "fenced-1")).map((s) => s.name)).toEqual(["gate", "after"]);
    } finally {
      release();
      await shutdown(v1, { drainMs: 0 });
      await shutdown(v2, { drainMs: 0 });
    }
  },
);

test(
  "options are checked: from and to required, distinct, known; unknown options refused; each error names the " +
    "option",
  async () => {
    const worker = testContext(db.url, { appName: "upgrade-options", applicationVersion: "v1" });
    await launch(worker);
    const client = await createClient({ systemDatabaseUrl: db.url, appName: "upgrade-options" });
    try {
      const failure = (options: unknown) =>
        upgradeWorkflows(client, options as never).then(
          () => undefined,
          (error: unknown) => error,
        );
      const cases: Array<[unknown, RegExp]> = [
        [undefined, /the option from is required/],
        [{ to: "v1" }, /the option from is required/],
        [{ from: "v0" }, /the option to is required/],
        [{ from: "", to: "v1" }, /from/],
        [{ from: "v0", to: "v1", dryrun: true }, /unknown option dryrun/],
        [{ from: "v0", to: "v1", dryRun: "yes" }, /dryRun/],
        [{ from: "v1", to: "v1" }, /the options from and to are both v1/],
        [
          { from: "v1", to: "v9" },
          /the option to names version v9, which no process of upgrade-options has launched with/,
        ],
      ];
      for (const [options, message] of cases) {
        const error = await failure(options);
        expect(isDurablyError(error, "INVALID_ARGUMENT"), String(error)).toBe(true);
        expect((error as Error).message).toMatch(message);
      }
      expect(await upgradeWorkflows(client, { from: "v0", to: "v1", dryRun: true })).toMatchObject({
        workflows: [],
        pending: 0,
      });
    } finally {
      await shutdown(worker);
      await shutdown(client);
    }
  },
);
