// One process of the tracing-cost bench: 3-step workflows, sequential then 100 in flight, in one
// mode, printing CPU time per workflow of this process and of its Postgres backends (robust on a
// loaded machine) beside the wall-clock figures. Modes:
//   off: no OpenTelemetry at all;
//   sdk: the SDK registered (as bench --otel does), durably not instrumented;
//   als: sdk, and the run inside one context.with, so AsyncLocalStorage's promise hook is on (as in a
//        service whose HTTP server is instrumented), durably not instrumented;
//   on:  @durably/otel on that SDK (what bench --otel runs); DURABLY_BENCH_OTEL_TRACES=0 or
//        DURABLY_BENCH_OTEL_METRICS=0 turn one half off, DURABLY_BENCH_OTEL_SAMPLE=<ratio> samples.
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { context, createContextKey } from "@opentelemetry/api";
import postgres from "postgres";
import { createDurablyLibrary } from "../libraries/durably.js";
import { percentile } from "../sample-stats.js";

const [mode = "off", url = "postgres://postgres@127.0.0.1:5432/bench_otel_cost", seqArg = "600", parArg = "3000"] =
  process.argv.slice(2);
const modes = ["off", "sdk", "als", "on"];
if (!modes.includes(mode)) throw new Error(`mode must be one of ${modes.join(", ")}`);
if (mode === "on") process.env.DURABLY_BENCH_OTEL = "1";
if (mode === "sdk" || mode === "als") {
  const { registerBenchProviders } = await import("../libraries/otel-setup.js");
  registerBenchProviders();
}
const sequential = Number(seqArg);
const parallel = Number(parArg);
const database = new URL(url).pathname.slice(1);
const admin = postgres(url, { max: 1, onnotice: () => undefined });

/** CPU time (µs) of this process. */
const nodeCpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
/** CPU time (µs) of the server backends connected to the bench database (the pool, listener and this reader). */
async function backendCpu(): Promise<number> {
  const rows = await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${database}`;
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The backend ended between the two reads.
    }
  }
  return ticks * 10_000; // USER_HZ is 100 on Linux.
}

async function measure(): Promise<void> {
  const library = createDurablyLibrary({ url });
  await library.launch();
  try {
    for (let i = 0; i < 300; i++) await library.runThreeSteps(i);
    const latencies: number[] = [];
    let cpu = nodeCpu();
    let pg = await backendCpu();
    for (let i = 0; i < sequential; i++) {
      const started = performance.now();
      await library.runThreeSteps(i);
      latencies.push(performance.now() - started);
    }
    const seqCpu = (nodeCpu() - cpu) / sequential;
    const seqPg = ((await backendCpu()) - pg) / sequential;
    let next = 0;
    const lane = async () => {
      while (next < parallel) await library.runThreeSteps(next++);
    };
    // DURABLY_BENCH_CPU_PROFILE=<file>: a CPU profile of the parallel phase only.
    const profile = process.env.DURABLY_BENCH_CPU_PROFILE;
    const session = profile === undefined ? undefined : new Session();
    if (session !== undefined) {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    }
    cpu = nodeCpu();
    pg = await backendCpu();
    const started = performance.now();
    await Promise.all(Array.from({ length: 100 }, lane));
    const seconds = (performance.now() - started) / 1000;
    if (session !== undefined) {
      const { profile: taken } = await session.post("Profiler.stop");
      writeFileSync(profile!, JSON.stringify(taken));
      session.disconnect();
    }
    const parCpu = (nodeCpu() - cpu) / parallel;
    const parPg = ((await backendCpu()) - pg) / parallel;
    const off = (half: string) => (process.env[`DURABLY_BENCH_OTEL_${half}`] === "0" ? `-${half.toLowerCase()}` : "");
    const ratio = process.env.DURABLY_BENCH_OTEL_SAMPLE;
    const sampled = ratio === undefined ? "" : `@${ratio}`;
    console.log(
      JSON.stringify({
        mode: mode === "on" ? `on${off("TRACES")}${off("METRICS")}${sampled}` : mode,
        seqP50Ms: +percentile(latencies, 50).toFixed(3),
        seqNodeUs: Math.round(seqCpu),
        seqPgUs: Math.round(seqPg),
        parWfPerSec: Math.round(parallel / seconds),
        parNodeUs: Math.round(parCpu),
        parPgUs: Math.round(parPg),
      }),
    );
  } finally {
    await library.shutdown();
  }
}

const key = createContextKey("bench request");
await (mode === "als" ? context.with(context.active().setValue(key, 1), measure) : measure());
await admin.end();
process.exit(0);
