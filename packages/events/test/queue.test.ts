// receiveEvents with { queue, partitionKey }: each message's workflow is enqueued on a partitioned
// queue (flow control, concurrency per key) under the message's ID, and runs there; on a real Redis.
import { createDBOSContext, launch, registerWorkflow, shutdown } from "@durably/core";
import { registerQueue } from "@durably/queues";
import { migratedTemplate } from "@durably/sysdb";
import { skipForMissingPremise } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { expect, test } from "vitest";
import { receiveEvents } from "../src/index.js";
import { testMessages, waitFor } from "./support/broker-suite.js";
import { brokerUnreachable, openSource, publish, runNames, tearDownRun } from "./support/test-broker.js";

const db = useTestDatabase({ template: migratedTemplate });

test("messages enqueue their workflows on a partitioned queue, one partition per key, one at a time per key", async (ctx) => {
  const missing = await brokerUnreachable("redis");
  if (skipForMissingPremise("queue: redis", missing)) ctx.skip();
  if (missing !== undefined) throw new Error(missing);
  const names = runNames("redis", "q");
  const running = new Map<string, number>();
  let mostAtOnce = 0;
  const dbos = createDBOSContext({
    appName: "events-queue",
    systemDatabaseUrl: db.url,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    pollIntervalMs: 200,
  });
  const workflow = registerWorkflow(
    dbos,
    async (_ctx, input: { n: number; key: string }) => {
      const now = (running.get(input.key) ?? 0) + 1;
      running.set(input.key, now);
      mostAtOnce = Math.max(mostAtOnce, now);
      await new Promise((r) => setTimeout(r, 10));
      running.set(input.key, now - 1);
      return input.n;
    },
    { name: "queued" },
  );
  const queue = await registerQueue(dbos, "per-key", { partitionQueue: true, concurrency: 1, pollingIntervalSec: 0.2 });
  const sql = postgres(db.url, { max: 1, onnotice: () => undefined });
  try {
    await launch(dbos);
    await publish(names, 6379, testMessages(0, 30));
    const receiver = await receiveEvents(dbos, await openSource(names, 6379), {
      workflow,
      queue,
      partitionKey: (_m, input) => input.key,
    });
    const rows = await waitFor(
      "30 queued workflows finished",
      async () => {
        const r = await sql<{ status: string; queue_name: string; queue_partition_key: string }[]>`
          select status, queue_name, queue_partition_key from dbos.workflow_status where name = 'queued'`;
        return r.length === 30 && r.every((w) => w.status === "SUCCESS") ? r : undefined;
      },
      60_000,
    );
    await receiver.stop();
    expect(receiver.acked).toBe(30);
    expect(new Set(rows.map((r) => r.queue_name))).toEqual(new Set(["per-key"]));
    expect(new Set(rows.map((r) => r.queue_partition_key))).toEqual(new Set(["k0", "k1", "k2", "k3", "k4"]));
    expect(mostAtOnce).toBe(1);
  } finally {
    await shutdown(dbos);
    await sql.end();
    await tearDownRun(names, 6379).catch(() => undefined);
  }
});

test("a workflow registered on another context is refused at once, before any message is dead-lettered", async () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const dbos = createDBOSContext({ appName: "events-unregistered", systemDatabaseUrl: db.url, logger: quiet });
  const other = createDBOSContext({ appName: "events-other", systemDatabaseUrl: db.url, logger: quiet });
  registerWorkflow(dbos, async () => undefined, { name: "here" });
  const elsewhere = registerWorkflow(other, async () => undefined, { name: "elsewhere" });
  const source = { name: "unused", fetch: async () => [], close: async () => undefined };
  try {
    await launch(dbos);
    await expect(receiveEvents(dbos, source, { workflow: elsewhere })).rejects.toMatchObject({
      code: "WORKFLOW_NOT_REGISTERED",
    });
  } finally {
    await shutdown(dbos);
  }
});
