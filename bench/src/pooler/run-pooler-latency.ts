// `pnpm bench:pooler`: what a transaction pooler does to wake-up latency across processes. A worker
// process serves a queue and waits for messages; a client in this process enqueues (and sends) one
// at a time after an idle gap, and each workflow records when it started (or received). Three ways
// to reach the database: direct, through a PgBouncer (pool_mode = transaction) with a direct
// listenUrl, and through it without one (durably polls). Prints p50/p90/max per way.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  createClient,
  createDBOSContext,
  enqueueWorkflow,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  shutdown,
  type DBOSConfig,
} from "@durably/core";
import { recv, send } from "@durably/notifications";
import { listenQueues, registerQueue } from "@durably/queues";
import { startPgBouncer } from "@durably/testing";
import postgres from "postgres";
import { percentile } from "../sample-stats.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const database = "durably_bench_pooler";
const queue = "latency";

interface Way {
  readonly name: string;
  readonly systemDatabaseUrl: string;
  readonly transactionPooler?: boolean;
  readonly listenUrl?: string;
}

/** The worker process: serves `queue` and runs the message waiters until its parent disconnects. */
async function serve(way: Way): Promise<void> {
  const { name: _, ...connection } = way;
  const dbos = createDBOSContext({ appName: "pooler-latency", applicationVersion: "v1", logger: quiet, ...connection });
  registerWorkflow(dbos, (ctx) => runAsStep(ctx, async () => Date.now(), { name: "stamp" }), { name: "stamp" });
  registerWorkflow(
    dbos,
    async (ctx) => {
      await recv<string>(ctx, { topic: "go", timeoutMs: 120_000 });
      return runAsStep(ctx, async () => Date.now(), { name: "stamp" });
    },
    { name: "waiter" },
  );
  await registerQueue(dbos, queue);
  listenQueues(dbos, [queue]);
  await launch(dbos);
  process.send!("ready");
  await new Promise((resolve) => process.once("disconnect", resolve));
  await shutdown(dbos, { drainMs: 0 });
}

async function measure(way: Way, samples: number): Promise<{ enqueue: number[]; message: number[] }> {
  const script = fileURLToPath(import.meta.url);
  const worker = fork(script, ["worker", JSON.stringify(way)], { stdio: "inherit" });
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("exit", (code) => reject(new Error(`the worker exited (${code}) before it was ready`)));
  });
  const { name: _, ...connection } = way;
  const client = await createClient({ appName: "pooler-latency", logger: quiet, ...connection } as DBOSConfig);
  const enqueue: number[] = [];
  const message: number[] = [];
  const idle = () => new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1_800));
  try {
    for (let i = 0; i < samples; i++) {
      await idle();
      const at = Date.now();
      const handle = await enqueueWorkflow(client, "stamp", undefined, { queue, workflowID: `${way.name}-q-${i}` });
      enqueue.push((await handle.getResult({ timeoutMs: 60_000 })) - at);
    }
    for (let i = 0; i < samples; i++) {
      const id = `${way.name}-m-${i}`;
      await enqueueWorkflow(client, "waiter", undefined, { queue, workflowID: id });
      await idle(); // the waiter is in its recv by now (started within ~1 s even when polling)
      const at = Date.now();
      await send(client, id, "go", { topic: "go" });
      message.push((await (await retrieveWorkflow<number>(client, id)).getResult({ timeoutMs: 60_000 })) - at);
    }
  } finally {
    await shutdown(client);
    worker.disconnect();
    await new Promise((resolve) => worker.once("exit", resolve));
  }
  return { enqueue, message };
}

async function main(): Promise<void> {
  const server =
    process.env.DURABLY_BENCH_DATABASE_URL ??
    process.env.DURABLY_TEST_DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres";
  const samples = Number(process.env.DURABLY_BENCH_POOLER_SAMPLES ?? 30);
  const admin = postgres(server, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.unsafe(`create database ${database}`);
  const direct = new URL(server);
  direct.pathname = `/${database}`;
  const bouncer = await startPgBouncer({ upstreamUrl: direct.toString(), poolSize: 4 });
  const pooled = bouncer.url(direct.toString());
  const ways: Way[] = [
    { name: "direct", systemDatabaseUrl: direct.toString() },
    { name: "pgbouncer-listenUrl", systemDatabaseUrl: pooled, transactionPooler: true, listenUrl: direct.toString() },
    { name: "pgbouncer-polling", systemDatabaseUrl: pooled, transactionPooler: true },
  ];
  const row = (xs: number[]) =>
    `p50 ${percentile(xs, 50).toFixed(1)} ms, p90 ${percentile(xs, 90).toFixed(1)} ms, max ${Math.max(...xs)} ms`;
  try {
    console.log(`${samples} samples per way, each after an idle gap of 0.2-2 s; worker and client in two processes`);
    for (const way of ways) {
      const { enqueue, message } = await measure(way, samples);
      console.log(`${way.name.padEnd(20)} enqueue→start ${row(enqueue)} | send→recv ${row(message)}`);
    }
  } finally {
    await bouncer.stop();
    await admin.unsafe(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

if (process.argv[2] === "worker") await serve(JSON.parse(process.argv[3]!) as Way);
else await main();
