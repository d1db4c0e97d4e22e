// Runs one chaos tier from the command line and prints its JSON summary; exits 1 if an invariant broke.
//   pnpm --filter @durably/tests chaos            (smoke)
//   DURABLY_CHAOS=soak DURABLY_CHAOS_MINUTES=10 pnpm --filter @durably/tests chaos
// DURABLY_CHAOS_SEED replays a run; DURABLY_CHAOS_OVERRIDES='{"workflows":50}' changes profile fields.
import { skewedClockUnavailable } from "@durably/testing";
import { profileFromEnv, type ChaosProfile } from "./support/chaos-profile.js";
import { runChaos } from "./support/run-chaos.js";
import { chaosSeed } from "./support/seeded-random.js";
import { findPostgresBinaries } from "./support/throwaway-cluster.js";

const tier = process.argv[2];
if (tier === "soak" || tier === "smoke") process.env.DURABLY_CHAOS = tier;
const base = profileFromEnv();
if (base === undefined) {
  console.error("DURABLY_CHAOS=off: nothing to run");
  process.exit(0);
}
const profile: ChaosProfile = {
  ...base,
  ...(JSON.parse(process.env.DURABLY_CHAOS_OVERRIDES ?? "{}") as Partial<ChaosProfile>),
};
const binDir = findPostgresBinaries();
if (binDir === undefined) {
  console.error(
    "No Postgres binaries (initdb, pg_ctl): install Debian's postgresql package or set DURABLY_CHAOS_PG_BIN.",
  );
  process.exit(2);
}
// Ctrl-C or SIGTERM ends the run early but still stops the workers and deletes the cluster.
// (tsx forwards the signal it gets, so one Ctrl-C can arrive twice: a repeat within 2 s is the same.)
const stop = new AbortController();
let stoppingSince = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) {
      if (Date.now() - stoppingSince > 2_000) process.exit(130);
      return;
    }
    stoppingSince = Date.now();
    console.error(`${signal}: stopping the chaos run and cleaning up (again to exit at once)`);
    stop.abort();
  });
}
const summary = await runChaos(profile, {
  signal: stop.signal,
  seed: chaosSeed(),
  binDir,
  log: (line) => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`),
  keepRunDir: process.env.DURABLY_CHAOS_KEEP === "1",
  notSkewed: skewedClockUnavailable(),
}).catch((error: unknown) => {
  if (!stop.signal.aborted) throw error;
  console.error("chaos run aborted; its cluster and workers are gone");
  process.exit(130);
});
console.log(JSON.stringify(summary, null, 2));
process.exit(summary.ok ? 0 : 1);
