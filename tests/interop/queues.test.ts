// Queue definitions shared with DBOS 5.3.0 (dbos.queues), both ways. DBOS reads a queue as
// partitioned from its partition_* limit columns and keeps queue-wide limits (concurrency,
// worker_concurrency, rate_limit_*) apart from per-partition ones; durably writes and obeys both.
import type { DBOSClient } from "@dbos-inc/dbos-sdk";
import { createDBOSContext, getWorkflowID, launch, registerWorkflow, shutdown, type DBOSContext } from "@durably/core";
import { listQueues, registerQueue, retrieveQueue } from "@durably/queues";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDBOSClient, dbosSerializers } from "./support/dbos-client.js";

const db = useTestDatabase({ template: migratedTemplate });
const app = "interop-queues";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let durably: DBOSContext;
let dbos: DBOSClient;
let claimStatements = 0;

/** Workflows that wait until the test releases them, recording who ran at once. */
const gates = new Map<string, () => void>();
const running = new Map<string, string>();
let maxRunning = 0;
let maxPerPartition = 0;

beforeAll(async () => {
  durably = createDBOSContext({
    appName: app,
    systemDatabaseUrl: db.url,
    applicationVersion: "q-v1",
    logger: quiet,
    pollIntervalMs: 50,
    // Counts claims under a queue's advisory lock: the premise that the runner looked again.
    onQuery: (text) => void (text.includes("pg_advisory_xact_lock") && claimStatements++),
  });
  registerWorkflow(
    durably,
    async (ctx: DBOSContext, partition: string) => {
      const id = getWorkflowID(ctx);
      running.set(id, partition);
      maxRunning = Math.max(maxRunning, running.size);
      maxPerPartition = Math.max(maxPerPartition, [...running.values()].filter((p) => p === partition).length);
      await new Promise<void>((resolve) => gates.set(id, resolve));
      running.delete(id);
      return `done ${partition}`;
    },
    { name: "gated" },
  );
  registerWorkflow(durably, async (_ctx: DBOSContext, input: { n: number }) => ({ doubled: input.n * 2 }), {
    name: "double",
  });
  await registerQueue(durably, "d-partitioned", {
    partitionQueue: true,
    concurrency: 1,
    workerConcurrency: 1,
    rateLimit: { limit: 5, periodSec: 2 },
  });
  await launch(durably);
  dbos = await createDBOSClient(db.url, app);
});
afterAll(async () => {
  for (const release of gates.values()) release();
  await dbos?.destroy();
  await shutdown(durably);
});

describe("durably defines a queue, DBOS reads it", () => {
  test("a partitioned queue's limits are DBOS's per-partition limits, not queue-wide ones", async () => {
    const queue = await dbos.retrieveQueue("d-partitioned");
    expect({
      concurrency: queue?.concurrency,
      workerConcurrency: queue?.workerConcurrency,
      rateLimit: queue?.rateLimit,
      partitionConcurrency: queue?.partitionConcurrency,
      partitionWorkerConcurrency: queue?.partitionWorkerConcurrency,
      partitionRateLimit: queue?.partitionRateLimit,
    }).toEqual({
      concurrency: undefined,
      workerConcurrency: undefined,
      rateLimit: undefined,
      partitionConcurrency: 1,
      partitionWorkerConcurrency: 1,
      partitionRateLimit: { limitPerPeriod: 5, periodSec: 2 },
    });
  });
});

describe("DBOS defines a queue, durably serves it", () => {
  test("durably's QueueInfo reports DBOS's queue-wide and per-partition limits apart", async () => {
    await dbos.registerQueue("dbos-both", {
      concurrency: 2,
      partitionConcurrency: 1,
      partitionRateLimit: { limitPerPeriod: 9, periodSec: 3 },
      minPollingIntervalMs: 100,
    });
    const info = await retrieveQueue(durably, "dbos-both");
    expect(info).toMatchObject({
      concurrency: 2,
      partitionQueue: true,
      partitionConcurrency: 1,
      partitionWorkerConcurrency: undefined,
      partitionRateLimit: { limit: 9, periodSec: 3 },
    });
    expect((await listQueues(durably)).find((q) => q.name === "dbos-both")).toEqual(info);
  });

  test("a runner obeys the queue-wide and the per-partition concurrency together", async () => {
    await dbos.registerQueue("dbos-limits", { concurrency: 2, partitionConcurrency: 1, minPollingIntervalMs: 100 });
    const partitions = ["a", "a", "b", "c"];
    for (const [i, p] of partitions.entries()) {
      await dbos.enqueue(
        { workflowName: "gated", queueName: "dbos-limits", queuePartitionKey: p, workflowID: `limits-${i}` },
        p,
      );
    }
    // Premise: two run, and the runner has claimed again several times since.
    await expect.poll(() => running.size, { timeout: 15_000 }).toBe(2);
    const claimsSoFar = claimStatements;
    await expect.poll(() => claimStatements, { timeout: 15_000 }).toBeGreaterThan(claimsSoFar + 5);
    expect(maxRunning).toBe(2);
    expect(maxPerPartition).toBe(1);
    // Release each workflow once it runs; the limits hold until the end.
    const released = new Set<string>();
    while (released.size < partitions.length) {
      await expect.poll(() => [...running.keys()].some((id) => !released.has(id)), { timeout: 15_000 }).toBe(true);
      for (const id of running.keys()) {
        if (released.has(id)) continue;
        released.add(id);
        gates.get(id)?.();
      }
    }
    for (const [i, p] of partitions.entries()) {
      expect(await dbos.retrieveWorkflow(`limits-${i}`).getResult()).toBe(`done ${p}`);
    }
    expect(maxRunning).toBe(2);
    expect(maxPerPartition).toBe(1);
  });

  test("a portable DBOS client's enqueue with a partition key runs on a durably partitioned queue", async () => {
    const portable = await createDBOSClient(db.url, app, dbosSerializers.portable);
    try {
      const handle = await portable.enqueuePortable(
        { workflowName: "double", queueName: "d-partitioned", queuePartitionKey: "p1", workflowID: "portable-part" },
        [{ n: 21 }],
      );
      expect(await handle.getResult()).toEqual({ doubled: 42 });
      const [row] = await portable.listWorkflows({ workflowIDs: ["portable-part"] });
      expect(row?.queuePartitionKey).toBe("p1");
    } finally {
      await portable.destroy();
    }
  });
});
