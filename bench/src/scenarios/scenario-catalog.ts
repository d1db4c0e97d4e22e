// The eight scenarios as the report lists them: which ones run, which are pending.
import type { BenchSizes } from "../bench-options.js";

export interface ScenarioSpec {
  /** Run-record ID (`launch` runs as launch-cold and launch-warm). */
  readonly id: string;
  readonly number: number;
  readonly title: string;
  /** Set when durably has no package for it yet: listed, never faked. */
  readonly pending?: string;
}

export function scenarioCatalog(sizes: BenchSizes): readonly ScenarioSpec[] {
  const n = (x: number) => x.toLocaleString("en-US");
  return [
    { id: "sequential", number: 1, title: `sequential 3-step workflows: latency (${n(sizes.sequential)} workflows)` },
    {
      id: "parallel",
      number: 2,
      title: `${n(sizes.parallel)} 3-step workflows, ${n(sizes.inFlight)} in flight in one process: throughput`,
    },
    {
      id: "long-workflow",
      number: 3,
      title:
        `a ${n(sizes.longSteps)}-step workflow: time per step around step 10 and around ` +
        `step ${n(sizes.longSteps)}`,
    },
    {
      id: "queue",
      number: 4,
      title:
        `queue: ${n(sizes.queue)} enqueued by one caller, worker concurrency ${n(sizes.queueConcurrency)}: ` +
        `enqueue rate, end-to-end rate, enqueue-to-start p50/p99`,
    },
    {
      id: "queue-drain",
      number: 4,
      title:
        `queue backlog: ${n(sizes.queue)} already enqueued (by the library's client), drained by one worker ` +
        `at concurrency ${n(sizes.queueConcurrency)}`,
    },
    {
      id: "enqueue-batch",
      number: 4,
      title:
        `batch enqueue: ${n(sizes.queue * 5)} in batches of 1,000 by one client, nobody serving the queue ` +
        `(durably: enqueueMany, one statement per batch; DBOS has none: each batch's enqueues at once)`,
    },
    {
      id: "scale-out",
      number: 4,
      title:
        `scale-out: a backlog of ${n(sizes.queue)} drained by 1, 2 and 4 worker processes on one Postgres ` +
        `(concurrency ${n(sizes.queueConcurrency)} each), from spawning them to the last one done`,
    },
    {
      id: "client",
      number: 5,
      title:
        `client round trip from a separate process: enqueue to result, ${n(sizes.client)} one at a time ` +
        `(queue worker in another process)`,
    },
    {
      id: "messages",
      number: 6,
      title: `send → recv and setEvent → getEvent latency (${n(sizes.messages)} of each, the receiver already waiting)`,
    },
    {
      id: "messages-across",
      number: 6,
      title:
        `the same two latencies across processes: the workflows in a second process (${n(sizes.messages)} of ` +
        `each)`,
    },
    {
      id: "recovery",
      number: 7,
      title: `recovery of ${n(sizes.recovery)} workflows killed in step 2: from launch() to their completion`,
    },
    { id: "launch", number: 8, title: "launch time, cold (fresh database: create + migrate) and warm" },
  ];
}

/** IDs accepted by --only. */
export const runnableScenarioIds = [
  "physical-limit",
  "sequential",
  "parallel",
  "long-workflow",
  "queue",
  "queue-drain",
  "enqueue-batch",
  "scale-out",
  "client",
  "messages",
  "messages-across",
  "statements",
  "recovery",
  "launch",
] as const;
