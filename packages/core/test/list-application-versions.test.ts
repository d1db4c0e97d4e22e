// listApplicationVersions: each version with its first launch, the live processes serving it and
// its PENDING and ENQUEUED workflows, stranded once its last process shuts down; from a client too.
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { migratedTemplate } from "@durably/sysdb";
import {
  createClient,
  enqueueWorkflow,
  getWorkflowSteps,
  isDurablyError,
  launch,
  listApplicationVersions,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  type ApplicationVersionInfo,
  type DBOSContext,
} from "../src/index.js";
import { testContext } from "./support/test-context.js";

const db = useTestDatabase({ template: migratedTemplate });

/** version → [live executors, pending, enqueued, stranded] */
const summary = (versions: ApplicationVersionInfo[]) =>
  Object.fromEntries(versions.map((v) => [v.versionName, [v.liveExecutors, v.pending, v.enqueued, v.stranded]]));

function napper(ctx: DBOSContext) {
  return registerWorkflow(ctx, async function napper(wctx: DBOSContext) {
    await runAsStep(wctx, async () => "a", { name: "a" });
    await sleep(wctx, 60_000);
    return "woke";
  });
}

test(
  "versions with their live executors and waiting " + "workflows; stranded when no live process serves them",
  async () => {
    const appName = "versions-listed";
    const v1 = testContext(db.url, { appName, applicationVersion: "v1", executorId: "w-v1" });
    const napperV1 = napper(v1);
    await launch(v1);
    const client = await createClient({ systemDatabaseUrl: db.url, appName });
    let v2: DBOSContext | undefined;
    try {
      const started = Date.now();
      await runWorkflow(v1, napperV1, undefined, { workflowID: "nap-1" });
      await expect.poll(async () => (await getWorkflowSteps(client, "nap-1")).length, { timeout: 10_000 }).toBe(2);
      await enqueueWorkflow(client, "napper", undefined, {
        queue: "nobody-serves",
        applicationVersion: "v1",
        workflowID: "queued-1",
      });

      const [first, ...rest] = await listApplicationVersions(client);
      expect(rest).toEqual([]);
      expect(first).toMatchObject({
        versionName: "v1",
        applicationName: appName,
        liveExecutors: 1,
        pending: 1,
        enqueued: 1,
        stranded: false,
      });
      expect(first!.versionID).toEqual(expect.any(String));
      expect(first!.firstSeenAt!.getTime()).toBeLessThanOrEqual(started);
      expect(await listApplicationVersions(v1)).toEqual([first]);

      await shutdown(v1, { drainMs: 0 });
      expect(summary(await listApplicationVersions(client))).toEqual({ v1: [0, 1, 1, true] });

      v2 = testContext(db.url, { appName, applicationVersion: "v2", executorId: "w-v2" });
      napper(v2);
      await launch(v2);
      const versions = await listApplicationVersions(client);
      expect(versions.map((v) => v.versionName)).toEqual(["v2", "v1"]);
      expect(summary(versions)).toEqual({ v2: [1, 0, 0, false], v1: [0, 1, 1, true] });

      // Another application's versions show only with ownApplicationOnly: false.
      const other = testContext(db.url, { appName: "versions-other", applicationVersion: "other-v1" });
      await launch(other);
      await shutdown(other);
      expect((await listApplicationVersions(client)).map((v) => v.versionName)).toEqual(["v2", "v1"]);
      const everyApp = await listApplicationVersions(client, { ownApplicationOnly: false });
      expect(everyApp.map((v) => [v.versionName, v.applicationName])).toEqual([
        ["other-v1", "versions-other"],
        ["v2", appName],
        ["v1", appName],
      ]);
    } finally {
      await shutdown(v1, { drainMs: 0 });
      if (v2) await shutdown(v2, { drainMs: 0 });
      await shutdown(client);
    }
  },
);

test("options are checked, each error naming the option", async () => {
  const client = await createClient({ systemDatabaseUrl: db.url });
  try {
    const failure = (options: unknown) =>
      listApplicationVersions(client, options as never).then(
        () => undefined,
        (error: unknown) => error,
      );
    const unknown = await failure({ ownApplication: true });
    expect(isDurablyError(unknown, "INVALID_ARGUMENT")).toBe(true);
    expect((unknown as Error).message).toMatch(/unknown option ownApplication/);
    const wrongType = await failure({ ownApplicationOnly: "yes" });
    expect(isDurablyError(wrongType, "INVALID_ARGUMENT")).toBe(true);
    expect((wrongType as Error).message).toMatch(/ownApplicationOnly/);
  } finally {
    await shutdown(client);
  }
});

test("a worker serves its compatibleVersions too: their waiting workflows are not stranded", async () => {
  const appName = "versions-compatible";
  const v1 = testContext(db.url, { appName, applicationVersion: "v1", executorId: "c-v1" });
  napper(v1);
  await launch(v1);
  await shutdown(v1);
  const client = await createClient({ systemDatabaseUrl: db.url, appName });
  const options = { queue: "unserved", applicationVersion: "v1", workflowID: "cq-1" };
  await enqueueWorkflow(client, "napper", undefined, options);
  // The premise: with no live worker, v1's enqueued workflow is stranded.
  expect(summary(await listApplicationVersions(client))).toEqual({ v1: [0, 0, 1, true] });
  const v2 = testContext(db.url, { appName, applicationVersion: "v2", executorId: "c-v2", compatibleVersions: ["v1"] });
  napper(v2);
  await launch(v2);
  try {
    expect(summary(await listApplicationVersions(client))).toEqual({ v2: [1, 0, 0, false], v1: [1, 0, 1, false] });
  } finally {
    await shutdown(v2);
    await shutdown(client);
  }
});
