// Retention at scale: garbageCollectWorkflows removes a seeded history (default 1,000,000 finished
// workflows) while a steady workload runs, with autovacuum on. Prints the workload's throughput and
// latency before, during and after the GC, the GC's rate, the longest GC transaction (how long a
// batch holds its row locks) and whether any workload statement ever waited on a lock.
// `tsx src/history/run-gc-bench.ts --db URL [--seed 1000000] [--steps 3] [--concurrency 8] [--phase 30]`
// The server must run with autovacuum=on (a table's autovacuum_enabled cannot turn on a daemon that
// the server's autovacuum=off keeps from running).
import {
  createConsoleLogger,
  createDBOSContext,
  garbageCollectWorkflows,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import postgres from "postgres";
import { percentile } from "../sample-stats.js";
import { seedHistory } from "./seed-history.js";

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1]!;
}

const url = flag("--db", process.env.DURABLY_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const seed = Number(flag("--seed", "0"));
const steps = Number(flag("--steps", "3"));
const concurrency = Number(flag("--concurrency", "8"));
const phaseSeconds = Number(flag("--phase", "30"));
const batchSize = Number(flag("--batch", "1000"));
const tables = ["workflow_status", "operation_outputs", "workflow_input", "workflow_output"];

const admin = postgres(url, { max: 2, onnotice: () => undefined });
const [{ autovacuum }] = (await admin`select current_setting('autovacuum') as autovacuum`) as unknown as [
  { autovacuum: string },
];
if (autovacuum !== "on") {
  console.error(`autovacuum is ${autovacuum} on this server: run it on one with autovacuum=on (see the header)`);
  process.exit(2);
}
if (seed > 0) {
  const seconds = await seedHistory(url, { workflows: seed, stepsPerWorkflow: steps }, { appName: "bench" });
  console.error(`seeded ${seed} workflows × ${steps} steps in ${seconds.toFixed(1)} s`);
}
for (const table of tables) await admin.unsafe(`alter table dbos.${table} set (autovacuum_enabled = on)`);
const [history] = await admin`select count(*)::int as n, max(coalesce(completed_at, updated_at))::int8 as newest
  from dbos.workflow_status where workflow_uuid like 'hist-%'`;
const [stepRows] =
  await admin`select count(*)::int8 as n from dbos.operation_outputs where workflow_uuid like 'hist-%'`;
console.error(`history: ${history!.n} workflows, ${stepRows!.n} step rows`);

const ctx: DBOSContext = createDBOSContext({
  appName: "bench",
  systemDatabaseUrl: url,
  applicationVersion: "v1",
  logger: createConsoleLogger("error"),
  poolSize: concurrency + 2,
});
const work = registerWorkflow(ctx, async function gcBenchWork(wctx: DBOSContext, x: number) {
  const a = await runAsStep(wctx, async () => x + 1, { name: "one" });
  const b = await runAsStep(wctx, async () => a + 1, { name: "two" });
  return runAsStep(wctx, async () => b + 1, { name: "three" });
});
// The GC gets its own context (its own pool), as a separate process or a worker's background task would.
const gcCtx = createDBOSContext({
  appName: "bench",
  systemDatabaseUrl: url,
  applicationVersion: "v1",
  logger: createConsoleLogger("error"),
  poolSize: 2,
});
await launch(ctx);
await launch(gcCtx);

/** Completed workflows: [finish time ms, latency ms]. */
const done: Array<[number, number]> = [];
let running = true;
let n = 0;
const workers = Array.from({ length: concurrency }, async () => {
  while (running) {
    const t = performance.now();
    await (await runWorkflow(ctx, work, n++)).getResult();
    done.push([performance.now(), performance.now() - t]);
  }
});

// Every 25 ms: the oldest open GC transaction's age, and any backend waiting for a lock.
let longestGcXactMs = 0;
let lockWaitSamples = 0;
let samples = 0;
let sampling = true;
const sampler = (async () => {
  while (sampling) {
    const [row] = await admin`select
        coalesce(max(extract(epoch from clock_timestamp() - xact_start) * 1000)
          filter (where query like '%"doomed"%' and state <> 'idle'), 0)::float8 as gc_ms,
        count(*) filter (where wait_event_type = 'Lock' and query not like '%"doomed"%')::int as waiting
      from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
    longestGcXactMs = Math.max(longestGcXactMs, row!.gc_ms);
    if (row!.waiting > 0) lockWaitSamples++;
    samples++;
    await new Promise((r) => setTimeout(r, 25));
  }
})();

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
await sleep(5); // warm-up
const beforeFrom = performance.now();
await sleep(phaseSeconds);
const gcFrom = performance.now();
const deleted = await garbageCollectWorkflows(gcCtx, {
  olderThanMs: Date.now() - Number(history!.newest) - 1,
  batchSize,
});
const gcTo = performance.now();
await sleep(phaseSeconds);
const afterTo = performance.now();
running = false;
await Promise.all(workers);
sampling = false;
await sampler;

function window(name: string, from: number, to: number) {
  const inside = done.filter(([at]) => at >= from && at < to).map(([, ms]) => ms);
  return {
    name,
    seconds: (to - from) / 1000,
    perSec: inside.length / ((to - from) / 1000),
    p50: percentile(inside, 50),
    p99: percentile(inside, 99),
    max: Math.max(...inside),
  };
}
const windows = [
  window("before GC", beforeFrom, gcFrom),
  window("during GC", gcFrom, gcTo),
  window("after GC", gcTo, afterTo),
];
const vacuum = await admin.unsafe(
  `select relname, n_dead_tup::int8 as dead, n_live_tup::int8 as live, autovacuum_count::int as autovacuums,
     pg_size_pretty(pg_total_relation_size(relid)) as size
   from pg_stat_user_tables where schemaname = 'dbos' and relname = any($1) order by relname`,
  [tables],
);
const [load] = (await import("node:os")).loadavg();
await shutdown(gcCtx);
await shutdown(ctx);
await admin.end();

const gcSeconds = (gcTo - gcFrom) / 1000;
console.log(
  `GC bench: ${history!.n} finished workflows (${stepRows!.n} steps) deleted by garbageCollectWorkflows ` +
    `(batch ${batchSize}) while ${concurrency} loops run a 3-step workflow; autovacuum on; load average ${load!.toFixed(1)}`,
);
console.log("window      seconds  workflows/s  p50 ms  p99 ms  max ms");
for (const w of windows) {
  console.log(
    `${w.name.padEnd(12)}${w.seconds.toFixed(1).padEnd(9)}${w.perSec.toFixed(1).padEnd(13)}${w.p50.toFixed(1).padEnd(8)}` +
      `${w.p99.toFixed(1).padEnd(8)}${w.max.toFixed(1)}`,
  );
}
const drop = ((windows[1]!.perSec - windows[0]!.perSec) / windows[0]!.perSec) * 100;
console.log(`throughput during GC vs before: ${drop >= 0 ? "+" : ""}${drop.toFixed(1)}% (target: no worse than -20%)`);
console.log(`GC: ${deleted} workflows in ${gcSeconds.toFixed(1)} s = ${(deleted / gcSeconds).toFixed(0)} workflows/s`);
console.log(`longest GC transaction seen (row locks held): ${longestGcXactMs.toFixed(0)} ms`);
console.log(`samples with a workload backend waiting on a lock: ${lockWaitSamples} of ${samples}`);
console.log("table              live        dead        autovacuums  size");
for (const t of vacuum) {
  console.log(
    `${String(t.relname).padEnd(19)}${String(t.live).padEnd(12)}${String(t.dead).padEnd(12)}${String(t.autovacuums).padEnd(13)}${t.size}`,
  );
}
