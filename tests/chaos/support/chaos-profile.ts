// The two tiers of the chaos suite: smoke (every `pnpm test`, a few minutes) and soak
// (DURABLY_CHAOS=soak, DURABLY_CHAOS_MINUTES long, default an hour).
import type { FaultSettings } from "./fault-injector.js";
import type { FaultCounts } from "./fault-plan.js";
import type { WorkloadShape } from "./workload-dispatcher.js";

export interface ChaosProfile extends WorkloadShape {
  readonly tier: "smoke" | "soak";
  readonly workers: number;
  readonly poolSize: number;
  readonly pollIntervalMs: number;
  /** Load without faults before the first fault. */
  readonly warmupMs: number;
  /** Faults are injected over this long. */
  readonly faultWindowMs: number;
  /** After the last fault, every workflow must finish within this long (I1). */
  readonly settleMs: number;
  /** The workers' executor lease: renewal interval and lapse (createDBOSContext's leaseRenewMs, leaseLapseMs). */
  readonly leaseRenewMs: number;
  readonly leaseLapseMs: number;
  /**
   * Seconds each slot's workers run ahead of the host's clock (negative: behind), through
   * libfaketime; 0 for an unshifted worker. Leases are judged on the database's clock, so a skew
   * many lapses long must change nothing. Durable sleep waits on the clock of the worker that
   * runs it (as DBOS's does), so a sleep that moves between workers waits up to the difference
   * of their skews longer: the skews stay well under the settle time.
   */
  readonly clockSkewS: readonly number[];
  readonly faults: FaultCounts;
  readonly faultSettings: FaultSettings;
  /** Statements (keys of ambiguousStatements) whose reply an ambiguous-commit fault may drop. */
  readonly ambiguousStatements: readonly string[];
}

const faultSettings: FaultSettings = {
  newExecutorShare: 0.4,
  stopMs: [0, 0], // set per profile, past its lapse
  pgDownMs: [0, 2_000],
  blackholeMs: [2_500, 3_500],
  delayMs: [20, 100],
  delayForMs: [3_000, 6_000],
  refuseMs: [1_000, 3_000],
};

export const smokeProfile: ChaosProfile = {
  tier: "smoke",
  workers: 3,
  poolSize: 5,
  pollIntervalMs: 1_000,
  workflows: 300,
  steps: 5,
  stepMs: [50, 600],
  parallelShare: 0.3,
  sleepShare: 0.2,
  sleepMs: [500, 2_000],
  echoShare: 0.3,
  startWindowMs: 65_000,
  maxInFlight: 80,
  warmupMs: 3_000,
  faultWindowMs: 70_000,
  settleMs: 60_000,
  // Renewal every 0.5 s, lapse after 2.5 s: a worker killed under a new executor ID has its
  // workflows adopted 2.5-3 s later, quick enough for a 70 s fault window with a dozen kills (the
  // default 10 s lapse would leave the settle time mostly waiting); five renewals per lapse ride
  // out a delayed or reset connection; a blackhole of one worker (2.5-3.5 s) can outlast the lapse
  // and make it a zombie like a SIGSTOP does, which is meant.
  leaseRenewMs: 500,
  leaseLapseMs: 2_500,
  clockSkewS: [0, 12, -12],
  faults: {
    sigkill: 10,
    sigstop: 3,
    "sigkill-in-recovery": 2,
    "pg-restart": 2,
    "pg-restart-in-recovery": 1,
    "terminate-sweep": 10,
    "listener-kill": 3,
    "proxy-reset": 4,
    "proxy-blackhole": 2,
    "proxy-delay": 2,
    "proxy-refuse": 2,
    "ambiguous-commit": 6,
  },
  // A stop lasts past the lapse, so the others adopt the stopped worker's workflows before it wakes.
  faultSettings: { ...faultSettings, stopMs: [3_500, 5_000] },
  ambiguousStatements: ["checkpoint insert", "workflow insert", "outcome write"],
};

/** The soak tier, `minutes` of faults (DURABLY_CHAOS_MINUTES, default 60). */
export function soakProfile(minutes: number): ChaosProfile {
  const perMinute = (rate: number) => Math.max(1, Math.round(rate * minutes));
  return {
    tier: "soak",
    workers: 4,
    poolSize: 6,
    pollIntervalMs: 1_000,
    workflows: 10_000_000,
    steps: 10,
    stepMs: [0, 40],
    parallelShare: 0.3,
    sleepShare: 0.05,
    sleepMs: [500, 3_000],
    echoShare: 0.1,
    startWindowMs: 0,
    maxInFlight: 400,
    warmupMs: 10_000,
    faultWindowMs: minutes * 60_000,
    settleMs: 120_000,
    // Renewal every second, lapse after 5 s: blackholes of one worker (5-20 s) make zombies too.
    leaseRenewMs: 1_000,
    leaseLapseMs: 5_000,
    clockSkewS: [0, 30, -30, 0],
    faults: {
      sigkill: perMinute(5),
      sigstop: perMinute(1),
      "sigkill-in-recovery": perMinute(0.5),
      "pg-restart": perMinute(1),
      "pg-restart-in-recovery": perMinute(0.25),
      "terminate-sweep": perMinute(3),
      "listener-kill": perMinute(1),
      "proxy-reset": perMinute(2),
      "proxy-blackhole": perMinute(0.5),
      "proxy-delay": perMinute(0.5),
      "proxy-refuse": perMinute(0.5),
      "ambiguous-commit": perMinute(3),
    },
    faultSettings: { ...faultSettings, blackholeMs: [5_000, 20_000], stopMs: [6_000, 15_000] },
    ambiguousStatements: ["checkpoint insert", "workflow insert", "outcome write"],
  };
}

/** The tier DURABLY_CHAOS asks for: "soak", else smoke; "off" skips chaos entirely. */
export function profileFromEnv(env: NodeJS.ProcessEnv = process.env): ChaosProfile | undefined {
  if (env.DURABLY_CHAOS === "off") return undefined;
  if (env.DURABLY_CHAOS !== "soak") return smokeProfile;
  const minutes = Number(env.DURABLY_CHAOS_MINUTES ?? 60);
  if (!(minutes > 0))
    throw new Error(`DURABLY_CHAOS_MINUTES must be a positive number, got ${env.DURABLY_CHAOS_MINUTES}`);
  return soakProfile(minutes);
}
