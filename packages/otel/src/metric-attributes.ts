// The attribute sets of durably's per-run and per-step metrics, made once per workflow and step name
// and reused (frozen), so recording a measurement allocates nothing. Bounded: names past the limit
// (step names made from data, say) get a fresh set each time instead of growing the cache.
import type { Attributes } from "@opentelemetry/api";
import { dbos, durably } from "./attribute-names.js";

/** Most entries kept per map (workflow names; step name and type pairs of one workflow). */
const maxEntries = 1_000;

export class MetricAttributes {
  readonly #byWorkflow = new Map<string, WorkflowMetricAttributes>();
  readonly #byQueue = new Map<string, Attributes>();

  /** `dbos.queue.name` alone: enqueue-to-start latency. */
  queue(queueName: string): Attributes {
    return cached(this.#byQueue, queueName, () => ({ [dbos.queueName]: queueName }));
  }

  /** The attribute sets of workflow `name`'s metrics. */
  of(name: string): WorkflowMetricAttributes {
    let found = this.#byWorkflow.get(name);
    if (found === undefined) {
      found = new WorkflowMetricAttributes(name);
      if (this.#byWorkflow.size < maxEntries) this.#byWorkflow.set(name, found);
    }
    return found;
  }
}

export class WorkflowMetricAttributes {
  readonly name: string;
  /** `durably.workflow.name` alone: the outcome counters. */
  readonly workflow: Attributes;
  readonly #started = new Map<string, Attributes>();
  readonly #duration = new Map<string, Attributes>();
  /** By step type and name: [success, error]. */
  readonly #steps = new Map<string, readonly [Attributes, Attributes]>();

  constructor(name: string) {
    this.name = name;
    this.workflow = Object.freeze({ [durably.workflowName]: name });
  }

  /** Of `durably.workflows.started`. */
  started(origin: string): Attributes {
    return cached(this.#started, origin, () => ({ [durably.workflowName]: this.name, [durably.runOrigin]: origin }));
  }

  /** Of `durably.workflow.duration`. */
  duration(status: string): Attributes {
    return cached(this.#duration, status, () => ({ [durably.workflowName]: this.name, [durably.status]: status }));
  }

  /** Of `durably.step.duration`. */
  step(type: string, stepName: string, failed: boolean): Attributes {
    const key = `${type}\u0000${stepName}`;
    let pair = this.#steps.get(key);
    if (pair === undefined) {
      const of = (status: string): Attributes =>
        Object.freeze({
          [durably.workflowName]: this.name,
          [durably.stepName]: stepName,
          [dbos.operationType]: type,
          [durably.status]: status,
        });
      pair = [of("SUCCESS"), of("ERROR")];
      if (this.#steps.size < maxEntries) this.#steps.set(key, pair);
    }
    return pair[failed ? 1 : 0];
  }
}

function cached(map: Map<string, Attributes>, key: string, make: () => Attributes): Attributes {
  let found = map.get(key);
  if (found === undefined) {
    found = Object.freeze(make());
    if (map.size < maxEntries) map.set(key, found);
  }
  return found;
}
