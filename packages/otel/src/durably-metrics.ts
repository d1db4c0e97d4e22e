// The instruments durably records on a Meter: workflow counts and durations, step durations,
// enqueue-to-start latency, queue depth, busy slots, recoveries and checkpoint batch sizes.
import type { Attributes, Counter, Histogram, Meter, ObservableResult } from "@opentelemetry/api";
import type { ExtensionHost, QueueSlots } from "@durably/core/extension";
import { countQueuedWorkflows } from "@durably/sysdb/queries";
import { durably } from "./attribute-names.js";

/** The names of durably's metrics (README, section OpenTelemetry, says what each means). */
export const metricNames = {
  workflowsStarted: "durably.workflows.started",
  workflowsCompleted: "durably.workflows.completed",
  workflowsFailed: "durably.workflows.failed",
  workflowsCancelled: "durably.workflows.cancelled",
  workflowDuration: "durably.workflow.duration",
  stepDuration: "durably.step.duration",
  queueLatency: "durably.queue.latency",
  queueDepth: "durably.queue.depth",
  slotsBusy: "durably.worker.slots.busy",
  queueWorkerSlots: "durably.queue.worker.slots",
  recoveries: "durably.workflows.recovered",
  checkpointBatchSize: "durably.checkpoint.batch.size",
} as const;

export class DurablyMetrics {
  readonly started: Counter;
  readonly completed: Counter;
  readonly failed: Counter;
  readonly cancelled: Counter;
  readonly workflowDuration: Histogram;
  readonly stepDuration: Histogram;
  readonly queueLatency: Histogram;
  readonly recoveries: Counter;
  readonly checkpointBatchSize: Histogram;
  /** Runs of this context executing now, by workflow name. */
  readonly #busy = new Map<string, number>();

  constructor(meter: Meter, host: ExtensionHost, slots: () => readonly QueueSlots[]) {
    this.started = meter.createCounter(metricNames.workflowsStarted, {
      description: "Workflow runs that began in this process (first runs, dequeues, recoveries, resumes).",
    });
    this.completed = meter.createCounter(metricNames.workflowsCompleted, {
      description: "Workflow runs that recorded SUCCESS.",
    });
    this.failed = meter.createCounter(metricNames.workflowsFailed, {
      description: "Workflow runs that recorded ERROR.",
    });
    this.cancelled = meter.createCounter(metricNames.workflowsCancelled, {
      description: "Workflow runs stopped by cancellation or their deadline.",
    });
    this.workflowDuration = meter.createHistogram(metricNames.workflowDuration, {
      description: "Duration of a workflow run in this process, from its start to its recorded outcome.",
      unit: "s",
    });
    this.stepDuration = meter.createHistogram(metricNames.stepDuration, {
      description: "Duration of a step's first execution (all its attempts), without replayed steps.",
      unit: "s",
    });
    this.queueLatency = meter.createHistogram(metricNames.queueLatency, {
      description: "Time from enqueue to the start of a queued workflow's first run.",
      unit: "s",
    });
    this.recoveries = meter.createCounter(metricNames.recoveries, {
      description: "Workflows this process took over: recovered at launch, adopted from a dead process, resumed.",
    });
    this.checkpointBatchSize = meter.createHistogram(metricNames.checkpointBatchSize, {
      description: "Checkpoints and outcomes written together in one group-commit statement.",
      advice: { explicitBucketBoundaries: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] },
    });
    meter
      .createObservableGauge(metricNames.slotsBusy, {
        description: "Workflow runs executing in this process now, by workflow name.",
      })
      .addCallback((result) => {
        for (const [name, count] of this.#busy) {
          result.observe(count, { [durably.workflowName]: name });
        }
      });
    meter
      .createObservableGauge(metricNames.queueWorkerSlots, {
        description:
          "Worker slots of each queue this process serves, busy (running here) and free (worker concurrency " +
          "left); a queue without worker concurrency reports busy only.",
      })
      .addCallback((result) => observeWorkerSlots(host, slots(), result));
    meter
      .createObservableGauge(metricNames.queueDepth, {
        description: "Workflows per queue and status (ENQUEUED, DELAYED, PENDING), read from the system database.",
      })
      .addCallback((result) => observeQueueDepth(host, result));
  }

  runStarted(name: string): void {
    this.#busy.set(name, (this.#busy.get(name) ?? 0) + 1);
  }

  runEnded(name: string): void {
    this.#busy.set(name, (this.#busy.get(name) ?? 1) - 1);
  }
}

async function observeQueueDepth(host: ExtensionHost, result: ObservableResult<Attributes>): Promise<void> {
  if (host.state !== "launched") return;
  try {
    for (const row of await countQueuedWorkflows(host.sysdb, host.applicationScope)) {
      result.observe(row.count, { "dbos.queue.name": row.queueName, [durably.queueStatus]: row.status });
    }
  } catch (error) {
    host.logger.warn("could not read queue depth for metrics", { error });
  }
}

function observeWorkerSlots(host: ExtensionHost, slots: readonly QueueSlots[], result: ObservableResult<Attributes>) {
  if (host.state !== "launched" || slots.length === 0) return;
  const worker = host.executorIdentity().executorID;
  for (const q of slots) {
    const attributes = { "dbos.queue.name": q.queueName, [durably.workerID]: worker };
    result.observe(q.busy, { ...attributes, [durably.slotState]: "busy" });
    if (q.workerConcurrency !== null)
      result.observe(Math.max(0, q.workerConcurrency - q.busy), { ...attributes, [durably.slotState]: "free" });
  }
}
