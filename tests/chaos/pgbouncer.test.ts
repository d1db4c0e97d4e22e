// Issue 29's chaos run through PgBouncer (pool_mode = transaction, 4 server connections for 3
// workers of 4 connections each): 150 workflows with steps, parallel steps, durable sleeps and
// messages; worker processes SIGKILLed (back under the same or a new executor ID) and PgBouncer
// SIGKILLed and started again on the same port mid-run; once with a direct listenUrl, once without
// (the workers poll). Every workflow finishes once with the chain of its checkpointed outputs, no
// step begins after its checkpoint committed, every message is received once, no worker crashes
// (the chaos suite's I1-I4, I7, I9, I11, I10e). DURABLY_CHAOS=off skips it; DURABLY_CHAOS_SEED replays.
import { migratedTemplate } from "@durably/sysdb";
import { assertPremise, pgbouncerBinary, skipForMissingPremise } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { describe, expect, test } from "vitest";
import { poolerChaosProfile, runPoolerChaos } from "./support/run-pooler-chaos.js";
import { chaosSeed } from "./support/seeded-random.js";

const missing = pgbouncerBinary() === undefined ? "pgbouncer is not installed (apt-get install pgbouncer)" : undefined;
const wanted = process.env.DURABLY_CHAOS !== "off";
const skip = !wanted || skipForMissingPremise("the PgBouncer chaos run", missing);
const databases = {
  listen: useTestDatabase({ template: migratedTemplate }),
  polling: useTestDatabase({ template: migratedTemplate }),
};

describe.skipIf(skip)("chaos through PgBouncer in transaction mode", () => {
  test.each([
    ["with a direct listenUrl", "listen"],
    ["without listenUrl (polling)", "polling"],
  ] as const)(
    "%s: workers SIGKILLed and PgBouncer restarted, every workflow finishes once with its checkpoints' output",
    async (_, variant) => {
      assertPremise(missing);
      const summary = await runPoolerChaos(poolerChaosProfile, {
        seed: chaosSeed(),
        databaseUrl: databases[variant].url,
        listen: variant === "listen",
        log: (line) => console.error(`[pooler chaos] ${line}`),
        keepRunDir: process.env.DURABLY_CHAOS_KEEP === "1",
      });
      console.log(
        JSON.stringify({ ...summary, workerLogs: undefined, logWarnings: summary.workerLogs.warnings }, null, 1),
      );
      // Premises: every fault was injected, at least one kill hit a worker with workflows running
      // and at least one PgBouncer restart came while workflows were pending.
      expect(summary.faults.filter((f) => f.error !== undefined)).toEqual([]);
      expect(summary.faults).toHaveLength(poolerChaosProfile.workerKills + poolerChaosProfile.bouncerRestarts);
      expect(summary.killsWithWorkflowsRunning).toBeGreaterThan(0);
      expect(summary.restartsWithWorkflowsPending).toBeGreaterThan(0);
      // ... and the variant is the one meant: without listenUrl every worker process said once that it polls.
      if (variant === "listen") expect(summary.pollingWarnings).toBe(0);
      else expect(summary.pollingWarnings).toBeGreaterThanOrEqual(poolerChaosProfile.workers);
      expect(summary.violations).toEqual([]);
      expect(summary.workload.succeeded).toBe(poolerChaosProfile.workflows);
    },
    300_000,
  );
});
