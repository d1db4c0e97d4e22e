// Folds the measured rounds into one figure per metric and library: median, min and max.
import { median } from "../sample-stats.js";
import type { MetricSpec } from "./metric-catalog.js";
import type { RunRecord } from "./run-record.js";

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly values: readonly number[];
}

export interface MetricSummary extends MetricSpec {
  readonly durably: Spread | undefined;
  readonly dbos: Spread | undefined;
  /** How many times better durably is: DBOS/durably where lower is better, durably/DBOS where higher is. */
  readonly advantage: number | undefined;
}

export interface PhysicalLimitSummary {
  readonly connections: number;
  readonly commitsPerSecOne: Spread | undefined;
  readonly commitsPerSecMany: Spread | undefined;
  readonly idleCommitP50Ms: Spread | undefined;
}

/** The spread of one metric over the measured, successful runs of (library, scenario). */
export function spreadOf(
  runs: readonly RunRecord[],
  library: string,
  scenario: string,
  key: string,
): Spread | undefined {
  const values = runs
    .filter((r) => !r.warmup && r.ok && r.library === library && r.scenario === scenario)
    .map((r) => r.metrics?.[key])
    .filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), values };
}

export function summarizeMetrics(runs: readonly RunRecord[], specs: readonly MetricSpec[]): MetricSummary[] {
  return specs.map((spec) => {
    const durably = spreadOf(runs, "durably", spec.scenario, spec.key);
    const dbos = spreadOf(runs, "dbos", spec.scenario, spec.key);
    let advantage: number | undefined;
    if (durably !== undefined && dbos !== undefined && durably.median > 0 && dbos.median > 0) {
      advantage = spec.better === "lower" ? dbos.median / durably.median : durably.median / dbos.median;
    }
    return { ...spec, durably, dbos, advantage };
  });
}

export function summarizePhysicalLimit(runs: readonly RunRecord[]): PhysicalLimitSummary {
  const last = [...runs].reverse().find((r) => r.scenario === "physical-limit" && r.ok);
  return {
    connections: last?.metrics?.connections ?? 0,
    commitsPerSecOne: spreadOf(runs, "postgres", "physical-limit", "commitsPerSecOne"),
    commitsPerSecMany: spreadOf(runs, "postgres", "physical-limit", "commitsPerSecMany"),
    idleCommitP50Ms: spreadOf(runs, "postgres", "physical-limit", "idleCommitP50Ms"),
  };
}

export interface CpuSummary {
  readonly scenario: string;
  readonly library: "durably" | "dbos";
  /** Medians over the rounds, in % of one core. */
  readonly nodeCpuPct: number | undefined;
  readonly machineCpuPct: number | undefined;
}

/** CPU of the worker process and of the machine during each timed section that measures it. */
export function summarizeCpu(runs: readonly RunRecord[]): CpuSummary[] {
  const out: CpuSummary[] = [];
  for (const scenario of ["sequential", "parallel", "long-workflow", "queue", "queue-drain"]) {
    for (const library of ["durably", "dbos"] as const) {
      const node = spreadOf(runs, library, scenario, "nodeCpuPct");
      if (node === undefined) continue;
      out.push({
        scenario,
        library,
        nodeCpuPct: node.median,
        machineCpuPct: spreadOf(runs, library, scenario, "machineCpuPct")?.median,
      });
    }
  }
  return out;
}
