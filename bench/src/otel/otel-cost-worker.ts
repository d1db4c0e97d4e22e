// One process of the tracing-cost bench, in one mode, serving blocks of 3-step workflows that the
// runner asks for over IPC (sequential, or 100 in flight), so that the modes' processes live side by
// side and take turns: a drift of the machine's speed then falls on every mode alike. Each block's
// reply carries its latencies or its duration, and the CPU time it took in this process and in its
// Postgres backends (robust on a loaded machine). Modes:
//   off: no OpenTelemetry at all;
//   sdk: the SDK registered (as bench --otel does), durably not instrumented;
//   als: sdk, and the run inside one context.with, so AsyncLocalStorage's promise hook is on (as in a
//        service whose HTTP server is instrumented), durably not instrumented;
//   on:  @durably/otel on that SDK (what bench --otel runs); DURABLY_BENCH_OTEL_TRACES=0 or
//        DURABLY_BENCH_OTEL_METRICS=0 turn one half off, DURABLY_BENCH_OTEL_SAMPLE=<ratio> samples.
import { on } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { context, createContextKey } from "@opentelemetry/api";
import postgres from "postgres";
import { createDurablyLibrary } from "../libraries/durably.js";

/** What the runner asks for: a block of `count` workflows, one at a time or 100 in flight. */
export type OtelCostRequest = { kind: "sequential" | "parallel"; count: number } | { kind: "stop" };

/** A block's figures; `latenciesMs` for a sequential block. */
export interface OtelCostBlock {
  readonly seconds: number;
  readonly nodeCpuUs: number;
  readonly pgCpuUs: number;
  readonly latenciesMs?: number[];
}

const [mode = "off", url = "postgres://postgres@127.0.0.1:5432/bench_otel_cost"] = process.argv.slice(2);
const modes = ["off", "sdk", "als", "on"];
if (!modes.includes(mode)) throw new Error(`mode must be one of ${modes.join(", ")}`);
if (mode === "on") process.env.DURABLY_BENCH_OTEL = "1";
if (mode === "sdk" || mode === "als") {
  const { registerBenchProviders } = await import("../libraries/otel-setup.js");
  registerBenchProviders();
}
const database = new URL(url).pathname.slice(1);
const admin = postgres(url, { max: 1, onnotice: () => undefined });

/** CPU time (µs) of this process. */
const nodeCpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
/** CPU time (µs) of the server backends connected to this mode's database (the pool, listener and this reader). */
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

async function serve(): Promise<void> {
  const library = createDurablyLibrary({ url });
  await library.launch();
  // DURABLY_BENCH_CPU_PROFILE=<prefix>: a CPU profile of the parallel blocks (and the idle time between
  // them), written to <prefix>-<mode>-<pid>.cpuprofile.
  const prefix = process.env.DURABLY_BENCH_CPU_PROFILE;
  const profilePath = prefix === undefined ? undefined : `${prefix}-${mode}-${process.pid}.cpuprofile`;
  let session: Session | undefined;
  try {
    for (let i = 0; i < 300; i++) await library.runThreeSteps(i);
    // Listening before saying ready, so no request can come unheard.
    const requests = on(process, "message") as AsyncIterableIterator<[OtelCostRequest]>;
    process.send!({ ready: true });
    for await (const [request] of requests) {
      if (request.kind === "stop") break;
      if (request.kind === "parallel" && profilePath !== undefined && session === undefined) {
        session = new Session();
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.start");
      }
      const cpu = nodeCpu();
      const pg = await backendCpu();
      const started = performance.now();
      const latenciesMs: number[] = [];
      if (request.kind === "sequential") {
        for (let i = 0; i < request.count; i++) {
          const t = performance.now();
          await library.runThreeSteps(i);
          latenciesMs.push(performance.now() - t);
        }
      } else {
        let next = 0;
        const lane = async () => {
          while (next < request.count) await library.runThreeSteps(next++);
        };
        await Promise.all(Array.from({ length: 100 }, lane));
      }
      const seconds = (performance.now() - started) / 1000;
      const block: OtelCostBlock = {
        seconds,
        nodeCpuUs: nodeCpu() - cpu,
        pgCpuUs: (await backendCpu()) - pg,
        ...(request.kind === "sequential" ? { latenciesMs } : {}),
      };
      process.send!(block);
    }
    if (session !== undefined) {
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(profilePath!, JSON.stringify(profile));
      session.disconnect();
    }
  } finally {
    await library.shutdown();
  }
}

const key = createContextKey("bench request");
await (mode === "als" ? context.with(context.active().setValue(key, 1), serve) : serve());
await admin.end();
process.disconnect();
process.exit(0);
