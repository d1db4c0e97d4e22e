// Which numbers the table and chart compare, how they are labelled, and which way is better.
import type { BenchSizes } from "../bench-options.js";

export interface MetricSpec {
  /** Run-record scenario ID. */
  readonly scenario: string;
  /** Key in the worker's metrics. */
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly better: "lower" | "higher";
  readonly digits: number;
}

export function comparedMetrics(sizes: BenchSizes): readonly MetricSpec[] {
  const n = (x: number) => x.toLocaleString("en-US");
  return [
    { scenario: "sequential", key: "p50Ms", label: "1 sequential 3-step workflow, p50", unit: "ms", better: "lower", digits: 2 },
    { scenario: "sequential", key: "p95Ms", label: "1 sequential 3-step workflow, p95", unit: "ms", better: "lower", digits: 2 },
    { scenario: "sequential", key: "p99Ms", label: "1 sequential 3-step workflow, p99", unit: "ms", better: "lower", digits: 2 },
    { scenario: "parallel", key: "workflowsPerSec", label: `2 parallel, ${n(sizes.inFlight)} in flight: workflows/s`, unit: "wf/s", better: "higher", digits: 0 },
    { scenario: "parallel", key: "stepsPerSec", label: `2 parallel, ${n(sizes.inFlight)} in flight: steps/s`, unit: "steps/s", better: "higher", digits: 0 },
    { scenario: "long-workflow", key: "msPerStepEarly", label: "3 long workflow: per step, around step 10", unit: "ms", better: "lower", digits: 3 },
    { scenario: "long-workflow", key: "msPerStepLate", label: `3 long workflow: per step, around step ${n(sizes.longSteps)}`, unit: "ms", better: "lower", digits: 3 },
    { scenario: "queue", key: "enqueuesPerSec", label: "4 queue: enqueues/s (one caller)", unit: "wf/s", better: "higher", digits: 0 },
    { scenario: "queue", key: "workflowsPerSec", label: `4 queue: end to end, concurrency ${n(sizes.queueConcurrency)}`, unit: "wf/s", better: "higher", digits: 0 },
    { scenario: "queue", key: "enqueueToStartP50Ms", label: "4 queue: enqueue to start, p50", unit: "ms", better: "lower", digits: 1 },
    { scenario: "queue", key: "enqueueToStartP99Ms", label: "4 queue: enqueue to start, p99", unit: "ms", better: "lower", digits: 1 },
    { scenario: "queue-drain", key: "drainWorkflowsPerSec", label: `4 queue: ${n(sizes.queue)} queued drain, concurrency ${n(sizes.queueConcurrency)}`, unit: "wf/s", better: "higher", digits: 0 },
    { scenario: "client", key: "roundTripP50Ms", label: "5 client (other process): enqueue to result, p50", unit: "ms", better: "lower", digits: 2 },
    { scenario: "client", key: "roundTripP99Ms", label: "5 client (other process): enqueue to result, p99", unit: "ms", better: "lower", digits: 2 },
    { scenario: "client", key: "roundTripsPerSec", label: "5 client (other process): round trips/s, one at a time", unit: "wf/s", better: "higher", digits: 0 },
    { scenario: "messages", key: "sendToRecvP50Ms", label: "6 send → recv, p50", unit: "ms", better: "lower", digits: 2 },
    { scenario: "messages", key: "sendToRecvP99Ms", label: "6 send → recv, p99", unit: "ms", better: "lower", digits: 2 },
    { scenario: "messages", key: "setEventToGetEventP50Ms", label: "6 setEvent → getEvent, p50", unit: "ms", better: "lower", digits: 2 },
    { scenario: "messages", key: "setEventToGetEventP99Ms", label: "6 setEvent → getEvent, p99", unit: "ms", better: "lower", digits: 2 },
    { scenario: "messages-across", key: "sendToRecvP50Ms", label: "6 across processes: send → recv, p50", unit: "ms", better: "lower", digits: 2 },
    { scenario: "messages-across", key: "sendToRecvP99Ms", label: "6 across processes: send → recv, p99", unit: "ms", better: "lower", digits: 2 },
    { scenario: "messages-across", key: "setEventToGetEventP50Ms", label: "6 across processes: setEvent → getEvent, p50", unit: "ms", better: "lower", digits: 2 },
    { scenario: "messages-across", key: "setEventToGetEventP99Ms", label: "6 across processes: setEvent → getEvent, p99", unit: "ms", better: "lower", digits: 2 },
    { scenario: "recovery", key: "recoveryMs", label: `7 recovery: launch() to ${n(sizes.recovery)} workflows done`, unit: "ms", better: "lower", digits: 0 },
    { scenario: "launch-cold", key: "launchMs", label: "8 launch, cold (create + migrate)", unit: "ms", better: "lower", digits: 0 },
    { scenario: "launch-warm", key: "launchMs", label: "8 launch, warm", unit: "ms", better: "lower", digits: 0 },
    { scenario: "statements", key: "statementsPerWorkflow", label: "SQL statements per 3-step workflow", unit: "stmts", better: "lower", digits: 1 },
    { scenario: "statements", key: "commitsPerWorkflow", label: "commits per 3-step workflow", unit: "commits", better: "lower", digits: 1 },
    { scenario: "statements", key: "writeCommitsPerWorkflow", label: "  of which write commits", unit: "commits", better: "lower", digits: 1 },
  ];
}
