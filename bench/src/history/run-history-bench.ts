// History does not slow the engine: the hot paths timed on an empty system database and on one
// seeded with finished history (default 1,000,000 workflows × 10 steps), side by side.
// `pnpm --filter @durably/bench history -- --workflows 1000000 --steps 10 --ops 300`.
import {
  createConsoleLogger,
  createDBOSContext,
  getWorkflowSteps,
  launch,
  listWorkflows,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { registerQueue } from "@durably/queues";
import postgres from "postgres";
import { percentile } from "../sample-stats.js";
import { seedHistory } from "./seed-history.js";

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1]!;
}

const adminUrl = flag("--db", process.env.DURABLY_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const workflows = Number(flag("--workflows", "1000000"));
const steps = Number(flag("--steps", "10"));
const ops = Number(flag("--ops", "300"));
/** Keep and reuse a seeded database of the same size (seeding 1M workflows takes minutes). */
const reuse = process.argv.includes("--reuse");

interface Measure {
  readonly name: string;
  readonly perSec: number;
  readonly p50Ms: number;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function recreate(name: string, keep: boolean): Promise<boolean> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (exists !== undefined && keep) return false;
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
    return true;
  } finally {
    await admin.end();
  }
}

async function time(name: string, n: number, op: (i: number) => Promise<unknown>): Promise<Measure> {
  for (let i = 0; i < Math.min(20, n); i++) await op(i); // warm-up
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(i);
    latencies.push(performance.now() - t);
  }
  return { name, perSec: n / ((performance.now() - started) / 1000), p50Ms: percentile(latencies, 50) };
}

async function measure(url: string, seeded: boolean): Promise<Measure[]> {
  const ctx: DBOSContext = createDBOSContext({
    appName: "bench",
    systemDatabaseUrl: url,
    applicationVersion: "v1",
    logger: createConsoleLogger("error"),
  });
  const threeSteps = registerWorkflow(ctx, async function historyThreeSteps(wctx: DBOSContext, x: number) {
    const a = await runAsStep(wctx, async () => x + 1, { name: "one" });
    const b = await runAsStep(wctx, async () => a + 1, { name: "two" });
    return runAsStep(wctx, async () => b + 1, { name: "three" });
  });
  const queue = await registerQueue(ctx, "history-bench-queue", { workerConcurrency: 10 });
  await launch(ctx);
  try {
    if (seeded) {
      const seconds = await seedHistory(url, { workflows, stepsPerWorkflow: steps }, { appName: "bench" });
      console.error(`seeded ${workflows} workflows × ${steps} steps in ${seconds.toFixed(1)} s`);
    }
    // A finished workflow to read: seeded history, or one run now on the empty database.
    const readID = seeded ? `hist-${Math.floor(workflows / 2)}` : (await runWorkflow(ctx, threeSteps, 0)).workflowID;
    if (!seeded) await (await retrieveWorkflow(ctx, readID)).getResult();
    return [
      await time("start + 3 checkpoints + outcome", ops, async (i) =>
        (await runWorkflow(ctx, threeSteps, i)).getResult(),
      ),
      await time("enqueue + claim + run", ops, async (i) =>
        (await runWorkflow(ctx, threeSteps, i, { queue })).getResult(),
      ),
      await time("retrieveWorkflow + getStatus", ops, async () => (await retrieveWorkflow(ctx, readID)).getStatus()),
      await time("listWorkflows first page", ops, () => listWorkflows(ctx, { sortDesc: true, limit: 20 })),
      await time("listWorkflows status ERROR", ops, () =>
        listWorkflows(ctx, { status: ["ERROR"], sortDesc: true, limit: 20 }),
      ),
      await time("getWorkflowSteps", ops, () => getWorkflowSteps(ctx, readID)),
    ];
  } finally {
    await shutdown(ctx);
  }
}

const emptyName = `bench_history_empty_${process.pid}`;
const seededName = `bench_history_seeded_${workflows}x${steps}`;
await recreate(emptyName, false);
const fresh = await recreate(seededName, reuse);
if (!fresh) console.error(`reusing ${seededName} (--reuse): not seeded again`);
const empty = await measure(withDatabase(adminUrl, emptyName), false);
const seeded = await measure(withDatabase(adminUrl, seededName), fresh);
const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
await admin.unsafe(`drop database if exists "${emptyName}" with (force)`);
if (!reuse) await admin.unsafe(`drop database if exists "${seededName}" with (force)`);
await admin.end();

const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  `History bench: ${ops} ops each, empty vs ${workflows} finished workflows × ${steps} steps (target: within 15%)`,
);
console.log(
  `${pad("operation", 34)}${pad("empty ops/s", 13)}${pad("p50 ms", 9)}${pad("seeded ops/s", 14)}${pad("p50 ms", 9)}Δ ops/s`,
);
for (const [i, e] of empty.entries()) {
  const s = seeded[i]!;
  const delta = ((s.perSec - e.perSec) / e.perSec) * 100;
  console.log(
    `${pad(e.name, 34)}${pad(e.perSec.toFixed(0), 13)}${pad(e.p50Ms.toFixed(2), 9)}${pad(s.perSec.toFixed(0), 14)}` +
      `${pad(s.p50Ms.toFixed(2), 9)}${delta >= 0 ? "+" : ""}${delta.toFixed(1)}%`,
  );
}
