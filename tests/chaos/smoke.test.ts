// The chaos smoke tier, part of every `pnpm test`: 300 workflows (a third also message
// themselves) on 3 workers, two of them with clocks 12 s ahead and behind, under ~45 faults
// (SIGKILLs whose workflows the live workers adopt through the executor leases, SIGSTOPs past the
// lease's lapse, Postgres crash-restarts, killed sessions and listeners, resets, blackholes,
// delays, refused connections, lost replies), then the invariants of reliability.md 5.3 (I1-I4,
// I7, I9, I10) and I11 (a zombie or a late write commits nothing).
// DURABLY_CHAOS=off skips it; DURABLY_CHAOS_SEED replays a run.
import { assertPremise, skewedClockUnavailable, skipForMissingPremise } from "@durably/testing";
import { describe, expect, it } from "vitest";
import { profileFromEnv, smokeProfile } from "./support/chaos-profile.js";
import { runChaos } from "./support/run-chaos.js";
import { chaosSeed } from "./support/seeded-random.js";
import { findPostgresBinaries } from "./support/throwaway-cluster.js";

const binDir = findPostgresBinaries();
const wanted = profileFromEnv()?.tier === "smoke";
if (wanted && binDir === undefined && process.env.CI !== "true") {
  console.warn(
    "chaos smoke skipped: no initdb/pg_ctl (install Debian's postgresql package or set DURABLY_CHAOS_PG_BIN)",
  );
}

// Without libfaketime the workers run with unshifted clocks, saying so; under CI=true the run fails instead.
const noSkew = skewedClockUnavailable();
const unskewed = wanted && skipForMissingPremise("the chaos smoke tier's clock-skewed workers", noSkew);

describe.skipIf(!wanted || (binDir === undefined && process.env.CI !== "true"))("chaos smoke", () => {
  it("finishes every workflow exactly once, with its steps' checkpointed outputs, through faults", async () => {
    if (binDir === undefined)
      throw new Error("CI needs Postgres binaries for the chaos suite: .ci/run installs Debian's postgresql package");
    if (!unskewed) assertPremise(noSkew);
    const summary = await runChaos(smokeProfile, {
      seed: chaosSeed(),
      binDir,
      log: (line) => console.error(`[chaos] ${line}`),
      keepRunDir: process.env.DURABLY_CHAOS_KEEP === "1",
      notSkewed: unskewed ? noSkew : undefined,
    });
    console.log(JSON.stringify(summary, null, 2));
    // Premise: the faults happened (a fault that failed to inject leaves the run calmer than planned).
    expect(summary.faults.failedToInject).toEqual({});
    expect(summary.faults.injected).toBeGreaterThan(0);
    // ... lost replies among them: a statement whose text no longer matches would never be cut.
    const dropped = Object.entries(summary.faults.ambiguousCommits).filter(([key]) => key.endsWith(": dropped"));
    expect(dropped.length, JSON.stringify(summary.faults.ambiguousCommits)).toBeGreaterThan(0);
    // ... a stopped worker came back a zombie: its lease had lapsed and its workflows were adopted.
    // (unless every stopped worker was SIGKILLed before it could notice: then the premise is unobservable).
    if (summary.faults.stoppedWorkersObservable > 0) {
      expect(summary.faults.stoppedWorkersThatLostTheirLease).toBeGreaterThan(0);
    } else console.warn("chaos smoke: no SIGSTOPped worker lived on after SIGCONT; the zombie premise is unobserved");
    expect(summary.violations).toEqual([]);
    expect(summary.workload.succeeded).toBe(smokeProfile.workflows);
  }, 290_000);
});
