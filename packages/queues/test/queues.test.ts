// Queue semantics in one process: ordering, partitions, deduplication, delays, timeouts,
// recovery, definitions, validation, and DBOS clients enqueueing onto durably workers.
import { DBOSClient } from "@dbos-inc/dbos-sdk";
import {
  createDBOSContext,
  isDurablyError,
  launch,
  listWorkflows,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
} from "@durably/core";
import { useTestDatabase } from "@durably/testing/vitest";
import { describe, expect, test } from "vitest";
import { deleteQueue, listenQueues, listQueues, registerQueue, retrieveQueue } from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";
import { quietLogger } from "./support/queue-test-context.js";

const db = useTestDatabase({ template: migratedTemplate });

/** A context with one workflow that logs the order it runs in. */
function consumer(order: string[], config: { serve?: boolean; executorId?: string; appName?: string } = {}) {
  const ctx = createDBOSContext({
    appName: config.appName ?? "queues-app",
    systemDatabaseUrl: db.url,
    applicationVersion: "v1",
    executorId: config.executorId ?? "consumer",
    logger: quietLogger,
    pollIntervalMs: 100,
  });
  // Named explicitly: bundlers and test transforms may rename functions.
  const job = registerWorkflow(
    ctx,
    async (wctx: DBOSContext, label: string) => {
      await runAsStep(wctx, async () => void order.push(label), { name: "record" });
      return label;
    },
    { name: "job" },
  );
  if (config.serve === false) listenQueues(ctx, []);
  return { ctx, job };
}

describe("ordering", () => {
  test("lower priority numbers run first, FIFO within a priority", async () => {
    const order: string[] = [];
    const producer = consumer([], { serve: false, executorId: "producer" });
    await launch(producer.ctx);
    const worker = consumer(order);
    const q = await registerQueue(worker.ctx, "prio", { workerConcurrency: 1, priorityEnabled: true });
    try {
      const items: Array<[string, number]> = [
        ["a5", 5],
        ["b1", 1],
        ["c3", 3],
        ["d1", 1],
        ["e0", 0],
      ];
      const handles = [];
      for (const [label, priority] of items)
        handles.push(await runWorkflow(producer.ctx, producer.job, label, { queue: q, priority }));
      await launch(worker.ctx);
      await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 10_000 })));
      expect(order).toEqual(["e0", "b1", "d1", "c3", "a5"]);
    } finally {
      await shutdown(worker.ctx);
      await shutdown(producer.ctx);
    }
  });

  test("a partitioned queue applies its limits per partition key, FIFO within each", async () => {
    const order: string[] = [];
    const producer = consumer([], { serve: false, executorId: "producer" });
    await launch(producer.ctx);
    const worker = consumer(order);
    const q = await registerQueue(worker.ctx, "parts", { workerConcurrency: 1, partitionQueue: true });
    try {
      const handles = [];
      for (const label of ["x1", "y1", "x2", "y2", "x3"]) {
        handles.push(await runWorkflow(producer.ctx, producer.job, label, { queue: q, partitionKey: label[0]! }));
      }
      await launch(worker.ctx);
      await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 10_000 })));
      expect(order.filter((l) => l.startsWith("x"))).toEqual(["x1", "x2", "x3"]);
      expect(order.filter((l) => l.startsWith("y"))).toEqual(["y1", "y2"]);
    } finally {
      await shutdown(worker.ctx);
      await shutdown(producer.ctx);
    }
  });
});

describe("enqueue options", () => {
  test("deduplication rejects a second enqueue while the first is active, or returns its handle", async () => {
    const producer = consumer([], { serve: false, executorId: "producer" });
    await launch(producer.ctx);
    try {
      const first = await runWorkflow(producer.ctx, producer.job, "one", { queue: "dedup", deduplicationID: "k" });
      const error = await runWorkflow(producer.ctx, producer.job, "two", {
        queue: "dedup",
        deduplicationID: "k",
      }).catch((e: unknown) => e);
      expect(isDurablyError(error, "QUEUE_DEDUPLICATED")).toBe(true);
      expect((error as Error).message).toContain(first.workflowID);
      const same = await runWorkflow(producer.ctx, producer.job, "three", {
        queue: "dedup",
        deduplicationID: "k",
        deduplicationPolicy: "return-existing",
      });
      expect(same.workflowID).toBe(first.workflowID);
      // Options that need a queue are refused without one.
      await expect(runWorkflow(producer.ctx, producer.job, "x", { priority: 1 })).rejects.toSatisfy((e) =>
        isDurablyError(e, "INVALID_ARGUMENT"),
      );
    } finally {
      await shutdown(producer.ctx);
    }
  });

  test("a delayed workflow waits for its time, then runs; a queued timeout starts at dequeue", async () => {
    const order: string[] = [];
    const worker = consumer(order);
    const slow = registerWorkflow(worker.ctx, async function slowJob(wctx: DBOSContext) {
      await sleep(wctx, 5_000);
    });
    const q = await registerQueue(worker.ctx, "later");
    await launch(worker.ctx);
    try {
      const enqueuedAt = Date.now();
      const delayed = await runWorkflow(worker.ctx, worker.job, "delayed", { queue: q, delayMs: 600 });
      expect((await delayed.getStatus())?.status).toBe("DELAYED");
      await delayed.getResult({ timeoutMs: 10_000 });
      expect(Date.now() - enqueuedAt).toBeGreaterThanOrEqual(600);

      // Held 600 ms on the queue with a 400 ms timeout: the clock starts at dequeue, not at enqueue.
      const timedAt = Date.now();
      const timed = await runWorkflow(worker.ctx, slow, undefined, { queue: q, timeoutMs: 400, delayMs: 600 });
      await expect(timed.getResult({ timeoutMs: 10_000 })).rejects.toSatisfy((e) =>
        isDurablyError(e, "WORKFLOW_CANCELLED"),
      );
      expect(Date.now() - timedAt).toBeGreaterThanOrEqual(1000);
      const [row] = await listWorkflows(worker.ctx, { workflowIDs: [timed.workflowID] });
      expect(row?.status).toBe("CANCELLED");
      expect(row!.deadline!.getTime() - row!.createdAt.getTime()).toBeGreaterThanOrEqual(1000);
    } finally {
      await shutdown(worker.ctx);
    }
  });
});

describe("recovery and visibility", () => {
  test("a crashed worker's queued workflows go back to their queue and run again within its limits", async () => {
    const gate: { open?: () => void } = {};
    const opened = new Promise<void>((resolve) => (gate.open = resolve));
    const first = createDBOSContext({
      appName: "recover-q",
      systemDatabaseUrl: db.url,
      applicationVersion: "v1",
      executorId: "w1",
      logger: quietLogger,
      pollIntervalMs: 100,
    });
    registerWorkflow(first, async function held(wctx: DBOSContext, n: number) {
      await runAsStep(wctx, () => opened, { name: "hold" });
      return n;
    });
    await registerQueue(first, "held-q", { workerConcurrency: 2 });
    await launch(first);
    const producer = consumer([], { serve: false, executorId: "producer", appName: "recover-q" });
    const wf = registerWorkflow(producer.ctx, async function held(_w: DBOSContext, n: number) {
      return n;
    });
    await launch(producer.ctx);
    const handles = await Promise.all([1, 2, 3].map((n) => runWorkflow(producer.ctx, wf, n, { queue: "held-q" })));
    await expect
      .poll(async () => (await listWorkflows(producer.ctx, { queueName: "held-q", status: ["PENDING"] })).length)
      .toBe(2);
    await shutdown(first, { timeoutMs: 0 }); // "crash": two PENDING rows left behind

    const second = createDBOSContext({
      appName: "recover-q",
      systemDatabaseUrl: db.url,
      applicationVersion: "v1",
      executorId: "w1",
      logger: quietLogger,
      pollIntervalMs: 100,
    });
    registerWorkflow(second, async function held(_w: DBOSContext, n: number) {
      return n;
    });
    await registerQueue(second, "held-q", { workerConcurrency: 2 });
    await launch(second);
    try {
      expect((await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 10_000 })))).sort()).toEqual([1, 2, 3]);
    } finally {
      await shutdown(second);
      await shutdown(producer.ctx);
      gate.open!();
    }
  });

  test("work enqueued on a queue nobody registered stays ENQUEUED and visible, not lost", async () => {
    const producer = consumer([], { serve: false, executorId: "producer" });
    await launch(producer.ctx);
    try {
      const handle = await runWorkflow(producer.ctx, producer.job, "orphan", { queue: "nobody-serves-this" });
      const [row] = await listWorkflows(producer.ctx, { queueName: "nobody-serves-this" });
      expect(row).toMatchObject({ workflowID: handle.workflowID, status: "ENQUEUED", queueName: "nobody-serves-this" });
      await expect(handle.getResult({ timeoutMs: 300 })).rejects.toSatisfy((e) => isDurablyError(e, "TIMEOUT"));
    } finally {
      await shutdown(producer.ctx);
    }
  });
});

describe("definitions", () => {
  test("queues are stored per application, updatable at run time, listed, retrieved and deleted", async () => {
    const { ctx } = consumer([]);
    await registerQueue(ctx, "defs", { concurrency: 4, rateLimit: { limit: 10, periodSec: 2 } });
    await launch(ctx);
    try {
      expect(await retrieveQueue(ctx, "defs")).toMatchObject({
        name: "defs",
        concurrency: 4,
        rateLimit: { limit: 10, periodSec: 2 },
        applicationName: "queues-app",
      });
      await registerQueue(ctx, "defs", { concurrency: 8 });
      expect((await retrieveQueue(ctx, "defs")).concurrency).toBe(8);
      expect((await listQueues(ctx)).map((q) => q.name)).toContain("defs");
      await deleteQueue(ctx, "defs");
      await expect(retrieveQueue(ctx, "defs")).rejects.toSatisfy((e) => isDurablyError(e, "QUEUE_NOT_FOUND"));
    } finally {
      await shutdown(ctx);
    }
    const other = consumer([], { appName: "another-app" });
    await registerQueue(other.ctx, "prio"); // owned by queues-app since the first test
    await expect(launch(other.ctx)).rejects.toSatisfy((e) => isDurablyError(e, "REGISTRATION"));
  });

  test("bad names and options are typed errors", async () => {
    const { ctx } = consumer([]);
    await expect(registerQueue(ctx, "_dbos_mine")).rejects.toSatisfy((e) => isDurablyError(e, "INVALID_NAME"));
    await expect(registerQueue(ctx, "")).rejects.toSatisfy((e) => isDurablyError(e, "INVALID_NAME"));
    await expect(registerQueue(ctx, "q", { concurrency: 0 })).rejects.toSatisfy((e) =>
      isDurablyError(e, "INVALID_ARGUMENT"),
    );
    await expect(registerQueue(ctx, "q", { rateLimit: { limit: 5, periodSec: 0 } })).rejects.toSatisfy((e) =>
      isDurablyError(e, "INVALID_ARGUMENT"),
    );
  });
});

test("DBOSClient 5.3.0 enqueues (native and portable) onto a durably worker and reads the results", async () => {
  const ctx = createDBOSContext({
    appName: "interop-q",
    systemDatabaseUrl: db.url,
    applicationVersion: "v1",
    logger: quietLogger,
    pollIntervalMs: 100,
  });
  registerWorkflow(ctx, async function addUp(wctx: DBOSContext, input: { a: number; b: number }) {
    return runAsStep(wctx, async () => ({ sum: input.a + input.b }), { name: "add" });
  });
  await registerQueue(ctx, "foreign_q");
  await launch(ctx);
  const client = await DBOSClient.create({ systemDatabaseUrl: db.url });
  try {
    const native = await client.enqueue({ queueName: "foreign_q", workflowName: "addUp" }, { a: 1, b: 2 });
    const portable = await client.enqueuePortable({ queueName: "foreign_q", workflowName: "addUp" }, [
      { a: 10, b: 20 },
    ]);
    expect(await native.getResult()).toEqual({ sum: 3 });
    expect(await portable.getResult()).toEqual({ sum: 30 });
    expect((await client.getWorkflow(portable.workflowID))?.status).toBe("SUCCESS");
  } finally {
    await client.destroy();
    await shutdown(ctx);
  }
}, 60_000);
