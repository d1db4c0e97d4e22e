// The client, against a live worker in another process: enqueue by name with types, await,
// list with filters, steps, cancel/resume, fork, messages, events, streams, queues, schedules;
// and DBOS's own client and CLI operating durably's workflows.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { DBOSClient } from "@dbos-inc/dbos-sdk";
import {
  cancelWorkflow,
  createClient,
  enqueueWorkflow,
  forkWorkflow,
  getWorkflowSteps,
  isDurablyError,
  listWorkflows,
  resumeWorkflow,
  retrieveWorkflow,
  shutdown,
  type DBOSContext,
  type Workflow,
} from "@durably/core";
import { getEvent, readStream, send } from "@durably/notifications";
import { listQueues, registerQueue } from "@durably/queues";
import { createSchedule, listSchedules } from "@durably/scheduler";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { migratedTemplate } from "@durably/sysdb";
import { startOpsWorker, type OpsWorker } from "./support/start-ops-worker.js";

const db = useTestDatabase({ template: migratedTemplate });
let worker: OpsWorker;
let client: DBOSContext;

// The worker's workflow types, as an application would `import type` them.
type Greet = Workflow<string, string>;
type Gated = Workflow<void, string>;

beforeAll(async () => {
  worker = await startOpsWorker(db.url);
  client = await createClient({ systemDatabaseUrl: db.url, appName: "ops-app" });
});
afterAll(async () => {
  await shutdown(client);
  await worker.stop();
});

const waitForStatus = (id: string, status: string) =>
  expect
    .poll(async () => (await listWorkflows(client, { workflowIDs: [id] }))[0]?.status, { timeout: 15_000 })
    .toBe(status);

describe("a client runs nothing itself but does everything else", () => {
  test("enqueue by name with the workflow's types, then await, retrieve and inspect", async () => {
    const handle = await enqueueWorkflow<Greet>(client, "greet", "ada", { queue: "work", workflowID: "greet-1" });
    const result: string = await handle.getResult({ timeoutMs: 15_000 });
    expect(result).toBe("hello ada!");
    expect(await (await retrieveWorkflow<string>(client, "greet-1")).getResult()).toBe("hello ada!");
    expect((await handle.getStatus())?.status).toBe("SUCCESS");
    expect((await getWorkflowSteps(client, "greet-1")).map((s) => [s.stepID, s.name, s.output])).toEqual([
      [0, "a", "hello"],
      [1, "b", "hello ada"],
      [2, "c", "hello ada!"],
    ]);
    await expect(retrieveWorkflow(client, "no-such")).rejects.toSatisfy((e) =>
      isDurablyError(e, "NONEXISTENT_WORKFLOW"),
    );
  });

  test(
    "list workflows by status, name, queue, version, ID " + "prefix and time, with or without payloads, paginated",
    async () => {
      const before = new Date();
      const handles = await Promise.all(
        ["b1", "b2", "b3"].map((n) =>
          enqueueWorkflow<Greet>(client, "greet", n, { queue: "work", workflowID: `batch-${n}` }),
        ),
      );
      await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 15_000 })));
      const byPrefix = await listWorkflows(client, { workflowIDPrefix: "batch-", sortDesc: false });
      expect(byPrefix.map((w) => w.workflowID)).toEqual(["batch-b1", "batch-b2", "batch-b3"]);
      expect(byPrefix[0]?.input).toBeUndefined();
      const loaded = await listWorkflows(client, { workflowIDPrefix: "batch-", loadPayloads: true, sortDesc: false });
      expect(loaded.map((w) => [w.input, w.output])).toEqual([
        ["b1", "hello b1!"],
        ["b2", "hello b2!"],
        ["b3", "hello b3!"],
      ]);
      const filtered = await listWorkflows(client, {
        status: ["SUCCESS"],
        name: "greet",
        queueName: "work",
        applicationVersion: "ops-v1",
        createdAfter: before,
        createdBefore: new Date(),
        workflowIDPrefix: "batch-",
      });
      expect(filtered).toHaveLength(3);
      const page = await listWorkflows(client, { workflowIDPrefix: "batch-", limit: 2, offset: 1, sortDesc: false });
      expect(page.map((w) => w.workflowID)).toEqual(["batch-b2", "batch-b3"]);
      expect(await listWorkflows(client, { workflowIDPrefix: "batch-", status: ["ERROR"] })).toEqual([]);
    },
  );

  test("fork from step N re-executes exactly the steps from N on and reuses the earlier checkpoints", async () => {
    await (await enqueueWorkflow<Greet>(client, "greet", "bob", { queue: "work", workflowID: "fork-src" })).getResult({
      timeoutMs: 15_000,
    });
    const fork = await forkWorkflow<string>(client, "fork-src", {
      startStep: 1,
      newWorkflowID: "fork-dst",
      queue: "work",
    });
    expect(await fork.getResult({ timeoutMs: 15_000 })).toBe("hello bob!");
    expect(worker.effects().filter((l) => l.startsWith("fork-dst:"))).toEqual(["fork-dst:b", "fork-dst:c"]);
    expect((await getWorkflowSteps(client, "fork-dst")).map((s) => s.name)).toEqual(["a", "b", "c"]);
    const [forked] = await listWorkflows(client, { workflowIDs: ["fork-dst"] });
    expect(forked?.forkedFrom).toBe("fork-src");
  });

  test("cancel stops a running workflow; resume runs it on from its checkpoints; send reaches it", async () => {
    const handle = await enqueueWorkflow<Gated>(client, "gated", undefined, { queue: "work", workflowID: "gated-1" });
    await expect
      .poll(async () => (await getWorkflowSteps(client, "gated-1")).length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(1);
    await cancelWorkflow(client, "gated-1");
    await expect(handle.getResult({ timeoutMs: 15_000 })).rejects.toSatisfy((e) =>
      isDurablyError(e, "WORKFLOW_CANCELLED"),
    );
    await resumeWorkflow(client, "gated-1");
    await waitForStatus("gated-1", "PENDING");
    await send(client, "gated-1", "now", { topic: "go" });
    expect(await handle.getResult({ timeoutMs: 15_000 })).toBe("went now");
    expect(worker.effects().filter((l) => l === "gated-1:before")).toHaveLength(1);
  });

  test("events and streams are readable from the client", async () => {
    await enqueueWorkflow(client, "talker", undefined, { queue: "work", workflowID: "talker-1" });
    expect(await getEvent(client, "talker-1", "stage", { timeoutMs: 15_000 })).toBe("ready");
    const letters: unknown[] = [];
    for await (const { value } of readStream(client, "talker-1", "letters")) letters.push(value);
    expect(letters).toEqual(["x", "y", "z"]);
  });

  test("queues and schedules can be registered from a client with an application name", async () => {
    await registerQueue(client, "from-client", { concurrency: 2 });
    expect((await listQueues(client)).map((q) => q.name)).toContain("from-client");
    await createSchedule(client, { name: "client-made", workflow: "scheduledJob", cron: "0 0 1 1 *" });
    expect((await listSchedules(client)).map((s) => s.name)).toContain("client-made");
    const nameless = await createClient({ systemDatabaseUrl: db.url });
    try {
      await expect(registerQueue(nameless, "nope")).rejects.toSatisfy((e) => isDurablyError(e, "INVALID_CONFIG"));
      expect((await listWorkflows(nameless, { workflowIDs: ["greet-1"] })).length).toBe(1);
    } finally {
      await shutdown(nameless);
    }
  });
});

describe("DBOS's own tools against a durably worker", () => {
  test("DBOSClient cancels and resumes a durably workflow, which then finishes correctly", async () => {
    const dbos = await DBOSClient.create({ systemDatabaseUrl: db.url });
    try {
      await enqueueWorkflow<Gated>(client, "gated", undefined, { queue: "work", workflowID: "gated-dbos" });
      await waitForStatus("gated-dbos", "PENDING");
      await dbos.cancelWorkflow("gated-dbos");
      await waitForStatus("gated-dbos", "CANCELLED");
      await dbos.resumeWorkflow("gated-dbos");
      await waitForStatus("gated-dbos", "PENDING");
      await dbos.send("gated-dbos", "via dbos", "go");
      expect(await dbos.retrieveWorkflow("gated-dbos").getResult()).toBe("went via dbos");
      expect(worker.effects().filter((l) => l === "gated-dbos:after")).toHaveLength(1);
    } finally {
      await dbos.destroy();
    }
  });

  test("the DBOS 5.3.0 CLI lists durably's workflows", async () => {
    const cli = createRequire(import.meta.url).resolve("@dbos-inc/dbos-sdk/internal/cli/cli");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, "workflow", "list", "-s", db.url, "-l", "100"],
      { timeout: 30_000 },
    );
    expect(stdout).toContain("greet-1");
    expect(stdout).toContain("SUCCESS");
  });
});
