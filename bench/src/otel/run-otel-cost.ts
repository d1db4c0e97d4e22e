// What tracing costs durably. This machine's speed drifts by tens of percent within minutes, more
// than the cost being measured, so the modes are not run one after another: each mode's worker
// process (its own database) is started at once, and they take turns running blocks of 3-step
// workflows, in an order that rotates block by block. Every figure is then also given as a ratio
// within a turn (a block of each mode, minutes apart at most), whose median drift cannot move.
//   npx tsx src/otel/run-otel-cost.ts [--rounds 1] [--modes off,on] [--blocks 10] [--sequential 2000] [--parallel 6000]
// A mode is off, sdk, als or on, with +traces or +metrics to turn that half off, or +sample=<ratio>;
// --sequential and --parallel are each mode's workflows per round, split over the blocks. Each round
// starts fresh processes on fresh databases.
import { type ChildProcess, fork } from "node:child_process";
import { on } from "node:events";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { percentile } from "../sample-stats.js";
import type { OtelCostBlock, OtelCostRequest } from "./otel-cost-worker.js";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1]!;
};
const rounds = Number(flag("rounds", "1"));
const modes = flag("modes", "off,on").split(",");
const blocks = Number(flag("blocks", "10"));
const sequentialPerBlock = Math.ceil(Number(flag("sequential", "2000")) / blocks);
const parallelPerBlock = Math.ceil(Number(flag("parallel", "6000")) / blocks);
const server = process.env.DURABLY_BENCH_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const workerPath = fileURLToPath(new URL("./otel-cost-worker.ts", import.meta.url));

/** One mode's process and everything its blocks reported this round. */
interface ModeRun {
  readonly mode: string;
  readonly child: ChildProcess;
  /** Its messages, each as the listener's arguments ([message]); they end when it exits. */
  readonly replies: AsyncIterator<unknown[]>;
  readonly sequential: OtelCostBlock[];
  readonly parallel: OtelCostBlock[];
}

const all = new Map<string, { sequential: OtelCostBlock[]; parallel: OtelCostBlock[] }>(
  modes.map((m) => [m, { sequential: [], parallel: [] }]),
);
for (let round = 1; round <= rounds; round++) {
  const runs = await Promise.all(modes.map((mode, i) => startMode(mode, `bench_otel_cost_${i}`)));
  for (const kind of ["sequential", "parallel"] as const) {
    const count = kind === "sequential" ? sequentialPerBlock : parallelPerBlock;
    for (let b = 0; b < blocks; b++) {
      // Rotate who goes first, so that no mode always runs right after another's GC or burst.
      for (let k = 0; k < runs.length; k++) {
        const run = runs[(b + k) % runs.length]!;
        run[kind].push(await ask(run, { kind, count }));
      }
    }
  }
  for (const run of runs) {
    run.child.send({ kind: "stop" } satisfies OtelCostRequest);
    await new Promise((resolve) => run.child.once("exit", resolve));
    all.get(run.mode)!.sequential.push(...run.sequential);
    all.get(run.mode)!.parallel.push(...run.parallel);
  }
  console.log(`round ${round}:`);
  report(new Map(runs.map((r) => [r.mode, r])));
}
if (rounds > 1) {
  console.log(`all ${rounds} rounds:`);
  report(all);
}

async function startMode(mode: string, database: string): Promise<ModeRun> {
  const admin = postgres(server, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.unsafe(`create database ${database}`);
  await admin.end();
  const [name, ...env] = mode.split("+");
  // on+metrics turns durably's metrics off (DURABLY_BENCH_OTEL_METRICS=0); on+sample=0.1 sets a value.
  const extra = Object.fromEntries(
    env.map((e) => {
      const [key, value = "0"] = e.split("=");
      return [`DURABLY_BENCH_OTEL_${key!.toUpperCase()}`, value];
    }),
  );
  const url = Object.assign(new URL(server), { pathname: `/${database}` }).toString();
  const child = fork(workerPath, [name!, url], { execArgv: ["--import", "tsx"], env: { ...process.env, ...extra } });
  const replies = on(child, "message", { close: ["exit"] });
  await replies.next(); // { ready: true }, after its warm-up
  return { mode, child, replies, sequential: [], parallel: [] };
}

async function ask(run: ModeRun, request: OtelCostRequest): Promise<OtelCostBlock> {
  run.child.send(request);
  const reply = await run.replies.next();
  if (reply.done === true) throw new Error(`the ${run.mode} worker exited`);
  return reply.value[0] as OtelCostBlock;
}

/** Per mode: pooled figures, and each turn's ratio to the first mode's block of that turn. */
function report(runs: Map<string, { sequential: OtelCostBlock[]; parallel: OtelCostBlock[] }>): void {
  const median = (xs: number[]) => percentile(xs, 50);
  const blockP50 = (b: OtelCostBlock) => percentile(b.latenciesMs!, 50);
  const rate = (b: OtelCostBlock, count: number) => count / b.seconds;
  const base = runs.get(modes[0]!)!;
  for (const [mode, run] of runs) {
    const latencies = run.sequential.flatMap((b) => b.latenciesMs!);
    const sum = (bs: OtelCostBlock[], k: "seconds" | "nodeCpuUs" | "pgCpuUs") => bs.reduce((s, b) => s + b[k], 0);
    const seqCount = latencies.length;
    const parCount = run.parallel.length * parallelPerBlock;
    const seqRatios = run.sequential.map((b, i) => blockP50(b) / blockP50(base.sequential[i]!));
    const parRatios = run.parallel.map((b, i) => rate(b, parallelPerBlock) / rate(base.parallel[i]!, parallelPerBlock));
    const fmt = (x: number, digits = 2) => x.toFixed(digits);
    console.log(
      `  ${mode.padEnd(22)} sequential p50 ${fmt(percentile(latencies, 50), 3)} ms` +
        ` (ratio per turn: median ${fmt(median(seqRatios))}, ${fmt(Math.min(...seqRatios))}–${fmt(Math.max(...seqRatios))}),` +
        ` CPU/wf node ${Math.round(sum(run.sequential, "nodeCpuUs") / seqCount)} + pg ${Math.round(sum(run.sequential, "pgCpuUs") / seqCount)} µs;` +
        ` 100 in flight ${Math.round(parCount / sum(run.parallel, "seconds"))} wf/s` +
        ` (ratio per turn: median ${fmt(median(parRatios))}, ${fmt(Math.min(...parRatios))}–${fmt(Math.max(...parRatios))}),` +
        ` CPU/wf node ${Math.round(sum(run.parallel, "nodeCpuUs") / parCount)} + pg ${Math.round(sum(run.parallel, "pgCpuUs") / parCount)} µs`,
    );
  }
}
