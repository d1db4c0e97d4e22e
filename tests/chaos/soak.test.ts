// The chaos soak tier, only with DURABLY_CHAOS=soak: tens of thousands of workflows on 4 workers
// for DURABLY_CHAOS_MINUTES of faults (default 60), as fast as they go. Prints the JSON summary.
// `pnpm --filter @durably/tests chaos soak` runs it without vitest.
import { skewedClockUnavailable } from "@durably/testing";
import { describe, expect, it } from "vitest";
import { profileFromEnv } from "./support/chaos-profile.js";
import { runChaos } from "./support/run-chaos.js";
import { chaosSeed } from "./support/seeded-random.js";
import { findPostgresBinaries } from "./support/throwaway-cluster.js";

const profile = profileFromEnv();
const binDir = findPostgresBinaries();

describe.skipIf(profile?.tier !== "soak")("chaos soak", () => {
  const budgetMs = (profile?.warmupMs ?? 0) + (profile?.faultWindowMs ?? 0) + (profile?.settleMs ?? 0) + 600_000;
  it(
    "keeps every invariant through a long run of faults",
    async () => {
      if (binDir === undefined)
        throw new Error(
          "the soak tier needs Postgres binaries: install Debian's postgresql package or set DURABLY_CHAOS_PG_BIN",
        );
      const summary = await runChaos(profile!, {
        seed: chaosSeed(),
        binDir,
        log: (line) => console.error(`[chaos] ${line}`),
        keepRunDir: process.env.DURABLY_CHAOS_KEEP === "1",
        // Without libfaketime the workers run unshifted; the summary's clocks.notSkewed says why.
        notSkewed: skewedClockUnavailable(),
      });
      console.log(JSON.stringify(summary, null, 2));
      expect(summary.violations).toEqual([]);
    },
    budgetMs,
  );
});
