// History does not slow the engine: the hot paths timed on a nearly empty system database and on one
// seeded with finished history (default 1,000,000 workflows × 10 steps), side by side. The baseline
// holds a little history of the same mix (default 1,000 workflows), so a status filter returns a
// full page on both sides: on an empty database it returns nothing, which is cheaper for that reason
// alone. A checkpoint's cost is the difference between the 10-step and the no-step workflow, over 10.
// `pnpm --filter @durably/bench history -- --workflows 1000000 --steps 10 --ops 300 [--baseline-workflows 1000]`.
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
/** The baseline's own history: enough finished workflows for a full page of each status filter. */
const baselineWorkflows = Number(flag("--baseline-workflows", "1000"));
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

/** Times `n` calls of `op` after a short warm-up: latencies and elapsed seconds. */
async function time(n: number, op: (i: number) => Promise<unknown>): Promise<{ latencies: number[]; seconds: number }> {
  for (let i = 0; i < Math.min(10, n); i++) await op(i); // warm-up
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(i);
    latencies.push(performance.now() - t);
  }
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

interface Operation {
  readonly name: string;
  readonly op: (i: number) => Promise<unknown>;
}

/** Opens a context on `url` (seeding it first if asked) and returns the operations to time on it. */
async function open(
  url: string,
  history: number,
  seedNow: boolean,
): Promise<{ ops: Operation[]; close: () => Promise<void> }> {
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
  const noSteps = registerWorkflow(ctx, async function historyNoSteps(_wctx: DBOSContext, x: number) {
    return x;
  });
  const tenSteps = registerWorkflow(ctx, async function historyTenSteps(wctx: DBOSContext, x: number) {
    let n = x;
    for (let s = 0; s < 10; s++) n = await runAsStep(wctx, async () => n + 1, { name: `step${s}` });
    return n;
  });
  const queue = await registerQueue(ctx, "history-bench-queue", { workerConcurrency: 10 });
  await launch(ctx);
  if (seedNow && history > 0) {
    const seconds = await seedHistory(url, { workflows: history, stepsPerWorkflow: steps }, { appName: "bench" });
    console.error(`seeded ${history} workflows × ${steps} steps in ${seconds.toFixed(1)} s`);
  }
  // A finished workflow to read: from the seeded history, or one run now on an unseeded database.
  const middleID = `hist-${Math.floor(history / 2)}`;
  const seeded = (await listWorkflows(ctx, { workflowIDs: [middleID] })).length === 1;
  const readID = seeded ? middleID : (await runWorkflow(ctx, threeSteps, 0)).workflowID;
  if (!seeded) await (await retrieveWorkflow(ctx, readID)).getResult();
  const handle = await retrieveWorkflow(ctx, readID);
  const ops: Operation[] = [
    { name: "start + outcome (no steps)", op: async (i) => (await runWorkflow(ctx, noSteps, i)).getResult() },
    { name: "start + 10 checkpoints + outcome", op: async (i) => (await runWorkflow(ctx, tenSteps, i)).getResult() },
    { name: "start + 3 checkpoints + outcome", op: async (i) => (await runWorkflow(ctx, threeSteps, i)).getResult() },
    { name: "enqueue + claim + run", op: async (i) => (await runWorkflow(ctx, threeSteps, i, { queue })).getResult() },
    { name: "retrieveWorkflow", op: () => retrieveWorkflow(ctx, readID) },
    { name: "getStatus", op: () => handle.getStatus() },
    { name: "listWorkflows first page", op: () => listWorkflows(ctx, { sortDesc: true, limit: 20 }) },
    {
      name: "listWorkflows status ERROR",
      op: () => listWorkflows(ctx, { status: ["ERROR"], sortDesc: true, limit: 20 }),
    },
    { name: "getWorkflowSteps", op: () => getWorkflowSteps(ctx, readID) },
  ];
  return { ops, close: () => shutdown(ctx) };
}

const emptyName = `bench_history_empty_${process.pid}`;
const seededName = `bench_history_seeded_${workflows}x${steps}`;
await recreate(emptyName, false);
const fresh = await recreate(seededName, reuse);
if (!fresh) console.error(`reusing ${seededName} (--reuse): not seeded again`);
const emptyDb = await open(withDatabase(adminUrl, emptyName), baselineWorkflows, true);
const seededDb = await open(withDatabase(adminUrl, seededName), workflows, fresh);
// Each operation alternates empty and seeded in `rounds` rounds (A B A B ...), so a change in the
// machine's load (other processes) falls on both sides alike.
const rounds = 4;
const empty: Measure[] = [];
const seeded: Measure[] = [];
for (const [i, { name }] of emptyDb.ops.entries()) {
  const sides = [
    { db: emptyDb, into: empty, latencies: [] as number[], seconds: 0 },
    { db: seededDb, into: seeded, latencies: [] as number[], seconds: 0 },
  ];
  for (let r = 0; r < rounds; r++) {
    for (const side of sides) {
      const t = await time(Math.ceil(ops / rounds), side.db.ops[i]!.op);
      side.latencies.push(...t.latencies);
      side.seconds += t.seconds;
    }
  }
  for (const side of sides) {
    side.into.push({ name, perSec: side.latencies.length / side.seconds, p50Ms: percentile(side.latencies, 50) });
  }
}
await emptyDb.close();
await seededDb.close();
const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
await admin.unsafe(`drop database if exists "${emptyName}" with (force)`);
if (!reuse) await admin.unsafe(`drop database if exists "${seededName}" with (force)`);
await admin.end();

const pad = (s: string, n: number) => s.padEnd(n);
console.log(
  `History bench: ${ops} ops each, a baseline of ${baselineWorkflows} vs ${workflows} finished workflows × ${steps} steps (target: within 15%)`,
);
console.log(
  `${pad("operation", 34)}${pad("base ops/s", 13)}${pad("p50 ms", 9)}${pad("seeded ops/s", 14)}${pad("p50 ms", 9)}${pad("Δ ops/s", 10)}Δ p50`,
);
for (const [i, e] of empty.entries()) {
  const s = seeded[i]!;
  const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;
  const delta = ((s.perSec - e.perSec) / e.perSec) * 100;
  const p50Delta = ((s.p50Ms - e.p50Ms) / e.p50Ms) * 100;
  console.log(
    `${pad(e.name, 34)}${pad(e.perSec.toFixed(0), 13)}${pad(e.p50Ms.toFixed(2), 9)}${pad(s.perSec.toFixed(0), 14)}` +
      `${pad(s.p50Ms.toFixed(2), 9)}${pad(signed(delta), 10)}${signed(p50Delta)}`,
  );
}

/** Milliseconds per checkpoint: (10-step workflow's p50 − no-step workflow's p50) / 10. */
const perCheckpoint = (m: Measure[]) => (m[1]!.p50Ms - m[0]!.p50Ms) / 10;
console.log(
  `${pad("checkpoint (derived, p50)", 34)}${pad("", 13)}${pad(perCheckpoint(empty).toFixed(3), 9)}${pad("", 14)}` +
    `${pad(perCheckpoint(seeded).toFixed(3), 9)}`,
);
