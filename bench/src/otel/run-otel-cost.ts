// What tracing costs durably, measured where a loaded machine still gives stable figures: CPU time
// per 3-step workflow of the worker process and of its Postgres backends, beside wall-clock p50 and
// throughput. Each mode runs in a fresh process, the modes alternating round by round.
//   npx tsx src/otel/run-otel-cost.ts [--rounds 3] [--modes off,on] [--sequential 600] [--parallel 3000]
// A mode is off, sdk, als or on, with +traces or +metrics to turn that half off, or +sample=<ratio>.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1]!;
};
const rounds = Number(flag("rounds", "3"));
const modes = flag("modes", "off,on").split(",");
const sequential = flag("sequential", "600");
const parallel = flag("parallel", "3000");
const server = process.env.DURABLY_BENCH_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const database = "bench_otel_cost";
const url = Object.assign(new URL(server), { pathname: `/${database}` }).toString();
const worker = fileURLToPath(new URL("./otel-cost-worker.ts", import.meta.url));

type Row = Record<string, number | string>;
const results: Row[] = [];
for (let round = 1; round <= rounds; round++) {
  for (const mode of modes) {
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
    const out = execFileSync(process.execPath, ["--import", "tsx", worker, name!, url, sequential, parallel], {
      env: { ...process.env, ...extra },
      encoding: "utf8",
    });
    const row = JSON.parse(out.trim().split("\n").at(-1)!) as Row;
    row.round = round;
    results.push(row);
    console.log(JSON.stringify(row));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
console.log("\nmedians by mode:");
for (const mode of new Set(results.map((r) => String(r.mode)))) {
  const rows = results.filter((r) => r.mode === mode);
  const m = (k: string) => median(rows.map((r) => Number(r[k])));
  console.log(
    `${mode.padEnd(20)} seq p50 ${m("seqP50Ms")} ms, par ${m("parWfPerSec")} wf/s, ` +
      `CPU/wf node ${m("parNodeUs")} µs + pg ${m("parPgUs")} µs (parallel), node ${m("seqNodeUs")} µs (sequential)`,
  );
}
