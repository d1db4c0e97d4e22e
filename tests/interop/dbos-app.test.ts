// Rows written by DBOS 5.3.0's own runtime (a DBOS application launched in a child process), in
// both of its formats, read and driven by durably: workflow_status, inputs and outputs, steps,
// children, queues, events, streams and messages, through durably's client and CLI; cancel,
// resume and fork of a DBOS workflow, which the DBOS application then runs.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  cancelWorkflow,
  createClient,
  createDBOSContext,
  getWorkflowID,
  launch,
  registerWorkflow,
  runAsStep,
  enqueueWorkflow,
  forkWorkflow,
  getWorkflowSteps,
  listWorkflows,
  resumeWorkflow,
  retrieveWorkflow,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
  type Logger,
} from "@durably/core";
import { closeStream, getEvent, readStream, recv, send, setEvent, writeStream } from "@durably/notifications";
import { retrieveQueue } from "@durably/queues";
import { getSchedule, triggerSchedule } from "@durably/scheduler";
import { isDurablyError, migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { createDBOSClient } from "./support/dbos-client.js";
import { withRawSql } from "./support/raw-sql.js";
import { startDBOSApp, type DBOSApp } from "./support/start-dbos-app.js";

const db = useTestDatabase({ template: migratedTemplate });
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const appName = "dbos-runtime";
const cliPath = join(dirname(createRequire(import.meta.url).resolve("@durably/cli/package.json")), "dist", "main.js");
const when = new Date("2026-03-04T05:06:07.000Z");

type Format = "native" | "portable";
const serializerOf = { native: "js_superjson", portable: "portable_json" } as const;

let app: DBOSApp;
const clients: Partial<Record<Format, DBOSContext>> = {};
/** durably workers of another application, which DBOS's workflows talk to. */
const peers: Partial<Record<Format, DBOSContext>> = {};
const peerFlows: Partial<Record<Format, ReturnType<typeof registerWorkflow<undefined, unknown>>>> = {};

beforeAll(async () => {
  app = await startDBOSApp({ url: db.url, appName, applicationVersion: "rt-v1", executorID: "dbos-app-1" });
  for (const format of ["native", "portable"] as const) {
    const serializer = serializerOf[format];
    clients[format] = await createClient({ systemDatabaseUrl: db.url, appName, logger: quiet, serializer });
    const peer = createDBOSContext({
      appName: `durably-peer-${format}`,
      systemDatabaseUrl: db.url,
      applicationVersion: "peer-v1",
      logger: quiet,
      pollIntervalMs: 50,
      serializer,
    });
    peerFlows[format] = registerWorkflow(
      peer,
      async (wctx: DBOSContext) => {
        const message = await recv(wctx, { topic: "in", timeoutMs: 30_000 });
        await setEvent(wctx, "ack", { got: message });
        return message;
      },
      { name: "peer" },
    );
    await launch(peer);
    peers[format] = peer;
  }
});
afterAll(async () => {
  await app?.stop();
  for (const ctx of [...Object.values(clients), ...Object.values(peers)]) await shutdown(ctx);
});

function durablyCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, NO_COLOR: "1", DBOS_SYSTEM_DATABASE_URL: db.url };
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe.each([
  {
    format: "native",
    suffix: "",
    tag: "js_superjson",
    rich: { when, big: 7n, tags: new Set(["a", "b"]), map: new Map([["k", 1]]) },
    message: { at: when, n: 1n },
  },
  {
    format: "portable",
    suffix: "_portable",
    tag: "portable_json",
    rich: { when: when.toISOString(), n: 7, tags: ["a", "b"] },
    message: { at: "x", n: 1 },
  },
] as const)("a DBOS workflow in DBOS's $format format", ({ format, suffix, tag, rich, message }) => {
  const client = () => clients[format]!;

  test("durably reads its event and stream, sends it a message, reads its result, status and steps", async () => {
    const id = `tour-${format}`;
    await app.start(`tour${suffix}`, id);
    expect(await getEvent(client(), id, "status", { timeoutMs: 15_000 })).toEqual(rich);
    const values: unknown[] = [];
    for await (const { value } of readStream(client(), id, "log", { pollMs: 50 })) values.push(value);
    expect(values).toEqual([{ n: 1 }, { n: 2 }]);
    await send(client(), id, message, { topic: "in" });
    const handle = await retrieveWorkflow(client(), id);
    const result = { first: rich, second: "second", byChild: 10, byQueue: 12, message };
    expect(await handle.getResult({ timeoutMs: 15_000 })).toEqual(result);
    expect(await getEvent(client(), id, "got", { timeoutMs: 0 })).toEqual(message);

    const rows = await listWorkflows(client(), { workflowIDPrefix: id, loadPayloads: true });
    const byID = new Map(rows.map((r) => [r.workflowID, r]));
    expect(byID.get(id)).toMatchObject({
      status: "SUCCESS",
      name: `tour${suffix}`,
      applicationName: appName,
      applicationVersion: "rt-v1",
      serialization: tag,
    });
    // durably workflows take one input: a one-argument DBOS call reads as that argument.
    expect(byID.get(id)?.input).toEqual(rich);
    const child = { status: "SUCCESS", name: `child${suffix}`, parentWorkflowID: id };
    expect(byID.get(`${id}-child`)).toMatchObject({ ...child, input: 5, output: 10 });
    expect(byID.get(`${id}-queued`)).toMatchObject({ ...child, queueName: `${appName}-q`, input: 6, output: 12 });

    const steps = await getWorkflowSteps(client(), id);
    expect(steps.map((s) => s.name)).toEqual([
      "first",
      "second",
      "DBOS.setEvent",
      "DBOS.writeStream",
      "DBOS.writeStream",
      "DBOS.closeStream",
      "DBOS.sleep",
      `child${suffix}`,
      "DBOS.getResult",
      `child${suffix}`,
      "DBOS.getResult",
      "DBOS.recv",
      "DBOS.sleep",
      "DBOS.setEvent",
    ]);
    expect(steps[0]?.output).toEqual(rich);
    const children = steps.filter((s) => s.childWorkflowID !== undefined).map((s) => s.childWorkflowID);
    expect(children).toEqual([`${id}-child`, `${id}-child`, `${id}-queued`, `${id}-queued`]);
    expect(steps.find((s) => s.name === "DBOS.recv")?.output).toEqual(message);
  });

  test("durably's CLI lists it and its steps", async () => {
    const id = `tour-${format}`;
    const [list, get, steps] = await Promise.all([
      durablyCli(["--json", "workflow", "list", "--prefix", id, "--load"]),
      durablyCli(["workflow", "get", id, "--load"]),
      durablyCli(["workflow", "steps", id, "--load"]),
    ]);
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as Array<{ workflowID: string; status: string; name: string }>;
    expect(rows.map((r) => [r.workflowID, r.status, r.name]).sort()).toEqual([
      [id, "SUCCESS", `tour${suffix}`],
      [`${id}-child`, "SUCCESS", `child${suffix}`],
      [`${id}-queued`, "SUCCESS", `child${suffix}`],
    ]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toMatch(/Status\s+SUCCESS/);
    expect(get.stdout).toMatch(/Output\s+.*second/);
    expect(steps.code, steps.stderr).toBe(0);
    expect(steps.stdout).toMatch(/0\s+first\s+ok/);
    expect(steps.stdout).toMatch(/11\s+DBOS\.recv\s+ok/);
  });

  test("durably forks it after its events and stream: the fork has them, and the DBOS app runs the rest", async () => {
    const id = `tour-${format}`;
    const forkID = `${id}-fork`;
    // Step 7 starts the child: the steps before it (setEvent, writeStream, closeStream, sleep) are copied.
    const fork = await forkWorkflow(client(), id, { startStep: 7, newWorkflowID: forkID });
    expect(await getEvent(client(), forkID, "status", { timeoutMs: 0 })).toEqual(rich);
    const values: unknown[] = [];
    for await (const { value } of readStream(client(), forkID, "log", { pollMs: 50 })) values.push(value);
    expect(values).toEqual([{ n: 1 }, { n: 2 }]);
    const lastStep = async () => (await getWorkflowSteps(client(), forkID)).at(-1)?.stepID;
    await expect.poll(lastStep, { timeout: 15_000 }).toBe(12);
    await send(client(), forkID, message, { topic: "in" });
    const result = { first: rich, second: "second", byChild: 10, byQueue: 12, message };
    expect(await fork.getResult({ timeoutMs: 15_000 })).toEqual(result);
    const children = (await listWorkflows(client(), { parentWorkflowID: forkID })).map((w) => w.workflowID);
    expect(children.sort()).toEqual([`${forkID}-child`, `${forkID}-queued`]);
  });

  test("durably cancels, resumes and forks it, and the DBOS app runs the resumed and the forked workflow", async () => {
    const id = `gated-${format}`;
    await app.start(`gated${suffix}`, id);
    // DBOS's recv records its timeout (a DBOS.sleep step) when it starts waiting.
    const stepNames = async () => (await getWorkflowSteps(client(), id)).map((s) => s.name);
    await expect.poll(stepNames, { timeout: 15_000 }).toEqual(["before", "DBOS.sleep"]);
    await cancelWorkflow(client(), id);
    expect((await listWorkflows(client(), { workflowIDs: [id] }))[0]?.status).toBe("CANCELLED");
    const resumed = await resumeWorkflow(client(), id);
    await send(client(), id, "go", { topic: "go" });
    expect(await resumed.getResult({ timeoutMs: 20_000 })).toBe("went go");
    expect(await app.firstStepRuns(id)).toBe(1);

    const steps = await getWorkflowSteps(client(), id);
    const after = steps.findIndex((s) => s.name === "after");
    expect(after).toBeGreaterThan(0);
    const fork = await forkWorkflow(client(), id, { startStep: steps[after]!.stepID, newWorkflowID: `${id}-fork` });
    expect(await fork.getResult({ timeoutMs: 20_000 })).toBe("went go");
    expect(await app.firstStepRuns(`${id}-fork`)).toBe(0);
    const [forked] = await listWorkflows(client(), { workflowIDs: [`${id}-fork`] });
    expect(forked).toMatchObject({ status: "SUCCESS", forkedFrom: id });
  });

  test("its error and its step's error reach durably with their class and fields", async () => {
    const id = `fails-${format}`;
    await app.start(`fails${suffix}`, id);
    const handle = await retrieveWorkflow(client(), id);
    const thrown = { name: "OrderError", message: "workflow broke", code: 7 };
    await expect(handle.getResult({ timeoutMs: 15_000 })).rejects.toMatchObject(thrown);
    expect((await listWorkflows(client(), { workflowIDs: [id] }))[0]?.status).toBe("ERROR");
    const [step] = await getWorkflowSteps(client(), id);
    expect(step?.name).toBe("breaks");
    expect(step?.error).toMatchObject({ name: "OrderError", message: "step broke", code: 42 });
  });

  test("a workflow of several arguments reads as the argument list", async () => {
    const id = `pair-${format}`;
    await app.start(`pair${suffix}`, id, [1, "b"]);
    expect(await (await retrieveWorkflow(client(), id)).getResult({ timeoutMs: 15_000 })).toEqual({ a: 1, b: "b" });
    expect((await listWorkflows(client(), { workflowIDs: [id], loadPayloads: true }))[0]?.input).toEqual([1, "b"]);
  });

  test("DBOS's send from a workflow reaches durably's recv, and DBOS's getEvent reads durably's setEvent", async () => {
    const peerID = `peer-${format}`;
    const peer = await runWorkflow(peers[format]!, peerFlows[format]!, undefined, { workflowID: peerID });
    await app.start(`notify${suffix}`, `notify-${format}`, [peerID]);
    expect(await peer.getResult({ timeoutMs: 15_000 })).toEqual({ from: `notify-${format}` });
    const notify = await retrieveWorkflow(client(), `notify-${format}`);
    expect(await notify.getResult({ timeoutMs: 15_000 })).toEqual({ got: { from: `notify-${format}` } });
  });

  test("durably reads its schedule's context, and triggering it runs the DBOS workflow with that context", async () => {
    const name = `${appName}-yearly-${format}`;
    expect(await getSchedule(client(), name)).toMatchObject({
      workflowName: `scheduled${suffix}`,
      cron: "0 0 1 1 *",
      status: "ACTIVE",
      context: rich,
    });
    const handle = await triggerSchedule<{ scheduledTime: unknown; context: unknown }>(client(), name);
    const result = await handle.getResult({ timeoutMs: 20_000 });
    expect(result.context).toEqual(rich);
    expect(result.scheduledTime).toEqual(format === "native" ? expect.any(Date) : expect.any(String));
  });

  test("durably reads a delayed DBOS enqueue with a timeout, cancels, resumes it; the DBOS app runs it", async () => {
    const id = `delayed-${format}`;
    const enqueueOptions = { delaySeconds: 3600, priority: 5, deduplicationID: id };
    const params = { queueName: `${appName}-q`, timeoutMS: 600_000, enqueueOptions };
    await app.start(`child${suffix}`, id, [4], params);
    const [row] = await listWorkflows(client(), { workflowIDs: [id], loadPayloads: true });
    expect(row).toMatchObject({ status: "DELAYED", queueName: `${appName}-q`, timeoutMs: 600_000, input: 4 });
    expect(row?.serialization).toBe(tag);
    await cancelWorkflow(client(), id);
    expect((await listWorkflows(client(), { workflowIDs: [id] }))[0]?.status).toBe("CANCELLED");
    const resumed = await resumeWorkflow(client(), id);
    expect(await resumed.getResult({ timeoutMs: 20_000 })).toBe(8);
  });

  test("durably's client enqueues onto the DBOS app's queue, and the DBOS app runs it", async () => {
    const options = { queue: `${appName}-q`, workflowID: `enq-${format}` };
    const handle = await enqueueWorkflow(client(), `child${suffix}`, 21, options);
    expect(await handle.getResult({ timeoutMs: 20_000 })).toBe(42);
    const [row] = await listWorkflows(client(), { workflowIDs: [`enq-${format}`] });
    expect(row).toMatchObject({ status: "SUCCESS", serialization: tag });
  });
});

describe("DBOS's queue definitions", () => {
  test("durably reads a DBOS queue's limits, enqueues onto it by partition; the DBOS app runs the work", async () => {
    const client = clients.native!;
    const name = `${appName}-limited`;
    expect(await retrieveQueue(client, name)).toMatchObject({
      concurrency: 3,
      workerConcurrency: 2,
      rateLimit: { limit: 10, periodSec: 2 },
      partitionQueue: true,
      partitionConcurrency: 1,
      partitionRateLimit: { limit: 4, periodSec: 3 },
      pollingIntervalSec: 0.1,
      applicationName: appName,
    });
    const options = { queue: name, partitionKey: "p1", workflowID: "enq-partitioned" };
    const handle = await enqueueWorkflow(client, "child", 3, options);
    expect(await handle.getResult({ timeoutMs: 20_000 })).toBe(6);
    const unkeyed = enqueueWorkflow(client, "child", 3, { queue: name });
    await expect(unkeyed).rejects.toSatisfy((e) => isDurablyError(e, "INVALID_ARGUMENT"));
    const list = await durablyCli(["--json", "queue", "list"]);
    expect(list.code, list.stderr).toBe(0);
    const names = (JSON.parse(list.stdout) as Array<{ name: string }>).map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining([`${appName}-q`, name]));
  });
});

describe("moving from DBOS to durably", () => {
  let crashed: DBOSApp | undefined;
  let worker: DBOSContext | undefined;
  afterEach(async () => {
    await crashed?.stop();
    if (worker !== undefined) await shutdown(worker);
    crashed = worker = undefined;
  });

  test.each([
    { name: "native workflows", format: "native", appSerializer: "native", worker: "js_superjson" },
    { name: "portable workflows", format: "portable", appSerializer: "native", worker: "portable_json" },
    { name: "DBOSPortableJSON app-wide", format: "portable", appSerializer: "portable", worker: "js_superjson" },
  ] as const)(
    "a DBOS app ($name) dies mid-workflow; durably, launched as its executor and version, resumes it from DBOS's steps",
    async ({ name, format, appSerializer, worker: workerSerializer }) => {
      const suffix = format === "portable" ? "_portable" : "";
      const executorID = `dbos-moved-${name.replace(/\W/g, "-")}`;
      const moved = { url: db.url, appName: "dbos-moved", applicationVersion: "mv-v1", executorID };
      crashed = await startDBOSApp({ ...moved, serializer: appSerializer });
      const id = `moved-${executorID}`;
      await crashed.start(`tour${suffix}`, id);
      const client = clients[format]!;
      // Waiting in recv: every step before it is recorded, and recv's timeout (step 12) too.
      await expect.poll(async () => (await getWorkflowSteps(client, id)).at(-1)?.stepID, { timeout: 15_000 }).toBe(12);
      await crashed.kill();

      worker = createDBOSContext({
        appName: "dbos-moved",
        systemDatabaseUrl: db.url,
        applicationVersion: "mv-v1",
        executorId: executorID,
        logger: quiet,
        pollIntervalMs: 50,
        serializer: workerSerializer,
      });
      let stepRuns = 0;
      // The same workflows, written for durably: same names, same durable calls in the same order.
      const double = (wctx: DBOSContext, n: number) =>
        runAsStep(wctx, async () => (stepRuns++, n * 2), { name: "double" });
      const child = registerWorkflow(worker, double, { name: `child${suffix}` });
      registerWorkflow(
        worker,
        async (wctx: DBOSContext, input: unknown) => {
          const wid = getWorkflowID(wctx);
          const first = await runAsStep(wctx, async () => (stepRuns++, input), { name: "first" });
          const second = await runAsStep(wctx, async () => (stepRuns++, "second"), { name: "second" });
          await setEvent(wctx, "status", first);
          for (const n of [1, 2]) await writeStream(wctx, "log", { n });
          await closeStream(wctx, "log");
          await sleep(wctx, 20);
          const byChild = await (await runWorkflow(wctx, child, 5, { workflowID: `${wid}-child` })).getResult();
          const queued = { workflowID: `${wid}-queued`, queue: "dbos-moved-q" };
          const byQueue = await (await runWorkflow(wctx, child, 6, queued)).getResult();
          const message = await recv(wctx, { topic: "in", timeoutMs: 30_000 });
          await setEvent(wctx, "got", message);
          return { first, second, byChild, byQueue, message };
        },
        { name: `tour${suffix}` },
      );
      await launch(worker);
      await send(client, id, "on", { topic: "in" });
      const result = await (await retrieveWorkflow(worker, id)).getResult({ timeoutMs: 15_000 });
      expect(result).toMatchObject({ second: "second", byChild: 10, byQueue: 12, message: "on" });
      expect(stepRuns).toBe(0);
      const lastSteps = (await getWorkflowSteps(client, id)).map((s) => s.name).slice(-3);
      expect(lastSteps).toEqual(["DBOS.recv", "DBOS.sleep", "DBOS.setEvent"]);
    },
  );
});

describe("application versions", () => {
  const versionRows = () =>
    withRawSql(
      db.url,
      (sql) => sql`
      select version_id, version_name, version_timestamp, created_at, application_name
      from dbos.application_versions where application_name = ${appName} order by version_timestamp, version_name`,
    );

  test("durably's launch keeps DBOS's version row, warns when it is another app's; a new one is latest", async () => {
    const written = await versionRows();
    expect(written.map((r) => r.version_name)).toEqual(["rt-v1"]);
    const durablyApp = (name: string, applicationVersion: string, logger: Logger = quiet) =>
      createDBOSContext({ appName: name, systemDatabaseUrl: db.url, applicationVersion, logger });
    const joins = durablyApp(appName, "rt-v1");
    await launch(joins);
    await shutdown(joins);
    expect(await versionRows()).toEqual(written);

    // DBOS's launch refuses a version another application registered; durably's runs, and says so.
    const warnings: string[] = [];
    const warn = (message: string) => void warnings.push(message);
    const intruder = durablyApp("intruder", "rt-v1", { ...quiet, warn });
    await launch(intruder);
    await shutdown(intruder);
    const warning = `Application version rt-v1 is already registered by application ${appName}`;
    expect(warnings).toEqual([expect.stringContaining(warning)]);
    expect(await versionRows()).toEqual(written);

    const next = durablyApp(appName, "rt-v2");
    await launch(next);
    await shutdown(next);
    const dbos = await createDBOSClient(db.url, appName);
    try {
      expect((await dbos.listApplicationVersions()).map((v) => [v.versionName, v.applicationName])).toEqual([
        ["rt-v2", appName],
        ["rt-v1", appName],
      ]);
    } finally {
      await dbos.destroy();
    }
  });
});
