// The project's targets (issue 4), checked against what this run measured.
import type { MetricSummary } from "./summarize-runs.js";

export interface TargetResult {
  readonly target: string;
  /** What was measured, in words; "pending" where the scenario does not run yet. */
  readonly reached: string;
  readonly met: boolean | "pending";
}

/** A per-step cost counts as flat when the late steps cost at most this many times the early ones. */
export const flatTolerance = 1.25;

export function evaluateTargets(metrics: readonly MetricSummary[]): TargetResult[] {
  const find = (scenario: string, key: string) => metrics.find((m) => m.scenario === scenario && m.key === key);
  const ratio = (m: MetricSummary | undefined, want: number, target: string): TargetResult =>
    m?.advantage === undefined
      ? { target, reached: "not measured", met: false }
      : { target, reached: `${m.advantage.toFixed(2)}x`, met: m.advantage >= want };
  const absolute = (m: MetricSummary | undefined, below: number, target: string): TargetResult =>
    m?.durably === undefined
      ? { target, reached: "not measured", met: false }
      : {
          target,
          reached: `${m.durably.median.toFixed(1)} ${m.unit} (DBOS ${m.dbos?.median.toFixed(1) ?? "?"} ${m.unit})`,
          met: m.durably.median < below,
        };
  const early = find("long-workflow", "msPerStepEarly");
  const late = find("long-workflow", "msPerStepLate");
  const flat = (library: "durably" | "dbos"): TargetResult => {
    const target = `${library}: per-step cost flat from step 10 to the last step (late/early <= ${flatTolerance})`;
    const e = early?.[library]?.median;
    const l = late?.[library]?.median;
    if (e === undefined || l === undefined) return { target, reached: "not measured", met: false };
    return {
      target,
      reached: `${e.toFixed(3)} -> ${l.toFixed(3)} ms (${(l / e).toFixed(2)}x)`,
      met: l / e <= flatTolerance,
    };
  };
  return [
    ratio(find("sequential", "p50Ms"), 5, "sequential 3-step latency p50 at least 5x lower than DBOS"),
    ratio(
      find("parallel", "workflowsPerSec"),
      6,
      "throughput (workflows/s, many in flight) at least 6x higher than DBOS",
    ),
    flat("durably"),
    flat("dbos"),
    absolute(find("queue", "enqueueToStartP50Ms"), 10, "durably: queue enqueue-to-start p50 under 10 ms"),
    absolute(find("messages", "sendToRecvP50Ms"), 2, "durably: send → recv p50 under 2 ms in one process"),
    absolute(
      find("messages", "setEventToGetEventP50Ms"),
      2,
      "durably: setEvent → getEvent p50 under 2 ms in one process",
    ),
    absolute(find("messages-across", "sendToRecvP50Ms"), 10, "durably: send → recv p50 under 10 ms across processes"),
    absolute(
      find("messages-across", "setEventToGetEventP50Ms"),
      10,
      "durably: setEvent → getEvent p50 under 10 ms across processes",
    ),
    ratio(
      find("queue-drain", "drainWorkflowsPerSec"),
      5,
      "queued 3-step workflows (concurrency 100) finish at least 5x faster than DBOS",
    ),
  ];
}
