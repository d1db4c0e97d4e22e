// `pnpm bench:fleet`: what executor leases cost and deliver, with default settings (issue 21):
// the time from SIGKILL of a worker to its workflows progressing on the live ones (p50, max), and
// the lease's statements per second per process with 50 live processes. The second part runs on
// an embedded Postgres of its own with max_connections 300: 50 processes need more sessions than
// a default server's 100.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres, withDatabase } from "@durably/testing";
import { openBenchServer } from "../bench-server.js";
import { percentile } from "../sample-stats.js";
import { measureKillToProgress } from "./kill-to-progress.js";
import { measureLeaseLoad } from "./lease-load.js";

const say = (line: string) => console.log(line);
const smoke = process.argv.includes("--smoke");
/** --load-only: just the lease load (the kill part takes a few minutes of lapses). */
const loadOnly = process.argv.includes("--load-only");

async function main(): Promise<void> {
  if (!loadOnly) await measureKill();
  await measureLoad();
}

async function measureKill(): Promise<void> {
  const server = await openBenchServer(say);
  try {
    say(`kill → progress elsewhere (default lease: renew 2 s, lapse 10 s)${smoke ? " [smoke]" : ""}`);
    const kill = await measureKillToProgress({
      freshDatabase: async () => {
        await server.recreate("bench_fleet");
        return server.url("bench_fleet");
      },
      trials: smoke ? 1 : 5,
      workflows: smoke ? 10 : 30,
      survivors: 2,
      say,
    });
    const ms = kill.samplesMs;
    say(
      `  p50 ${Math.round(percentile(ms, 50))} ms, max ${Math.round(Math.max(...ms))} ms over ${ms.length} ` +
        `workflows; ` +
        `stranded ${kill.stranded}; target p50 < lapse + 1 s = 11000 ms`,
    );
    await server.drop("bench_fleet");
  } finally {
    await server.stop();
  }
}

async function measureLoad(): Promise<void> {
  const processes = smoke ? 10 : 50;
  const dataDir = await mkdtemp(join(tmpdir(), "durably-fleet-bench-"));
  await chmod(dataDir, 0o755); // as root, the server runs as the postgres user, which must read it
  const pg = await startEmbeddedPostgres({ dataDir, settings: { max_connections: "300", fsync: "off" } });
  try {
    say(`lease load: ${processes} idle processes on an embedded server (max_connections 300)`);
    const load = await measureLeaseLoad({
      url: withDatabase(pg.url, "postgres"),
      processes,
      windowMs: smoke ? 10_000 : 30_000,
      say,
    });
    const f = (x: number) => x.toFixed(2);
    say(
      `  lease statements per second per process: mean ${f(load.leasePerSecond.mean)}, ` +
        `max ${f(load.leasePerSecond.max)}; ` +
        `all statements of an idle process: mean ${f(load.allPerSecond.mean)}, max ${f(load.allPerSecond.max)}`,
    );
  } finally {
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
