// A slot freed by a finished workflow claims again only when the last claim left work behind for
// lack of a slot: after a claim that took everything eligible, it would be a wasted statement.
import { createDBOSContext, launch, registerWorkflow, runWorkflow, shutdown, type DBOSContext } from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { registerQueue } from "../src/index.js";
import { producerContext, quietLogger } from "./support/queue-test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isClaim = (sql: string) => sql.startsWith('with "picked"');

/** A worker serving `queue` with `workerConcurrency`, polling only once a minute, counting its claims. */
async function startWorker(workerConcurrency: number) {
  const counter = { claims: 0 };
  const ctx = createDBOSContext({
    appName: "queue-test",
    systemDatabaseUrl: db.url,
    applicationVersion: "q-v1",
    logger: quietLogger,
    onQuery: (sql) => void (isClaim(sql) && counter.claims++),
  });
  registerWorkflow(ctx, async function queueTask(_wctx: DBOSContext, input: { id: number; holdMs: number }) {
    await sleep(input.holdMs);
    return input.id;
  });
  const queue = await registerQueue(ctx, "slots", { workerConcurrency, pollingIntervalSec: 60 });
  await launch(ctx);
  return { ctx, queue, counter };
}

test("a workflow that finishes after a claim that took all the work sends no claim of its own", async () => {
  const worker = await startWorker(10);
  const producer = producerContext(db.url);
  await launch(producer.ctx);
  try {
    // Warm-up: both LISTENs are up once a first round trip came back.
    const enqueue = (id: number) =>
      runWorkflow(producer.ctx, producer.task, { id, holdMs: 0 }, { queue: worker.queue });
    expect(await (await enqueue(0)).getResult({ timeoutMs: 30_000 })).toBe(0);
    await sleep(300);
    worker.counter.claims = 0;

    expect(await (await enqueue(1)).getResult({ timeoutMs: 30_000 })).toBe(1);
    await sleep(300); // a claim on the freed slot would go out right after the outcome
    // One claim, woken by the enqueue's NOTIFY (before: a second one when the workflow ended).
    expect(worker.counter.claims).toBe(1);
  } finally {
    await shutdown(producer.ctx);
    await shutdown(worker.ctx);
  }
}, 60_000);

test("a slot freed while work waits for it claims that work at once, without waiting for the poll", async () => {
  const worker = await startWorker(1);
  const producer = producerContext(db.url);
  await launch(producer.ctx);
  try {
    const handles = await Promise.all(
      [1, 2, 3].map((id) => runWorkflow(producer.ctx, producer.task, { id, holdMs: 50 }, { queue: worker.queue })),
    );
    // The poll comes once a minute: each result within 30 s means the freed slot claimed the next.
    expect(await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 30_000 })))).toEqual([1, 2, 3]);
  } finally {
    await shutdown(producer.ctx);
    await shutdown(worker.ctx);
  }
}, 60_000);
