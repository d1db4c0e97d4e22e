// The chaos run's client: asks live workers to start workflows at a set pace, re-sends what a
// dead or silent worker never confirmed (starting is idempotent on the workflow ID), and keeps
// what every handle returned.
import type { ChaosInput } from "./result-chain.js";
import type { SeededRandom } from "./seeded-random.js";
import type { Slot, WorkerFleet } from "./worker-fleet.js";
import type { WorkerMessage } from "./worker-messages.js";

export interface WorkloadShape {
  /** How many workflows to start at most. */
  readonly workflows: number;
  readonly steps: number;
  readonly stepMs: readonly [number, number];
  readonly parallelShare: number;
  readonly sleepShare: number;
  /** Share of workflows that message themselves (ChaosInput.echo). */
  readonly echoShare: number;
  readonly sleepMs: readonly [number, number];
  /** Starts are spread evenly over this window; 0: as fast as `maxInFlight` allows. */
  readonly startWindowMs: number;
  /** Started and not yet SUCCESS, at most. */
  readonly maxInFlight: number;
}

/** A start not confirmed within this long is sent again (to whichever worker is next). */
const resendAfterMs = 30_000;

export class WorkloadDispatcher {
  /** Every workflow asked for, with its input. */
  readonly inputs = new Map<string, ChaosInput>();
  readonly confirmed = new Set<string>();
  readonly results = new Map<string, Set<string>>();
  readonly resultErrors: Array<{ id: string; error: string }> = [];
  startFailures = 0;
  resends = 0;
  readonly #shape: WorkloadShape;
  readonly #random: SeededRandom;
  readonly #fleet: WorkerFleet;
  readonly #queue: string[] = [];
  readonly #sentAt = new Map<string, number>();
  #closed = false;
  #stopped = false;

  constructor(shape: WorkloadShape, random: SeededRandom, fleet: WorkerFleet) {
    this.#shape = shape;
    this.#random = random;
    this.#fleet = fleet;
  }

  onMessage(_slot: Slot, message: WorkerMessage): void {
    switch (message.type) {
      case "started":
        this.confirmed.add(message.id);
        this.#sentAt.delete(message.id);
        break;
      case "start-failed":
        this.startFailures++;
        if (!this.confirmed.has(message.id)) this.#queue.push(message.id);
        break;
      case "result": {
        let values = this.results.get(message.id);
        if (values === undefined) this.results.set(message.id, (values = new Set()));
        values.add(message.value);
        break;
      }
      case "result-error":
        this.resultErrors.push({ id: message.id, error: message.error });
        break;
      default:
        break;
    }
  }

  onOrphaned(ids: readonly string[]): void {
    for (const id of ids) if (!this.confirmed.has(id)) this.#queue.push(id);
  }

  /** Ends run() at once (it returns false). */
  stop(): void {
    this.#stopped = true;
  }

  /** Starts no new workflow from now on (the ones asked for are still seen through). */
  close(): void {
    this.#closed = true;
  }

  /**
   * Dispatches until every workflow asked for is confirmed (true) or `deadline` passes (false).
   * `succeeded()` is the number of workflows finished so far, for the in-flight bound.
   */
  async run(deadline: number, succeeded: () => number): Promise<boolean> {
    const openedAt = Date.now();
    const shape = this.#shape;
    while (Date.now() < deadline && !this.#stopped) {
      if (!this.#closed) {
        const paced =
          shape.startWindowMs > 0
            ? Math.ceil((shape.workflows * (Date.now() - openedAt)) / shape.startWindowMs)
            : shape.workflows;
        const allowed = Math.min(paced, succeeded() + shape.maxInFlight, shape.workflows);
        while (this.inputs.size < allowed && this.#queue.length < 200) this.#queue.push(this.#newWorkflow());
        if (this.inputs.size >= shape.workflows) this.#closed = true;
      }
      for (const [id, at] of this.#sentAt) {
        if (Date.now() - at > resendAfterMs && !this.confirmed.has(id)) {
          this.#sentAt.delete(id);
          this.#queue.push(id);
          this.resends++;
        }
      }
      const batch = [...new Set(this.#queue.splice(0, 200))].filter((id) => !this.confirmed.has(id));
      if (batch.length > 0) {
        const ready = Math.max(1, this.#fleet.readySlots().length);
        const sent = this.#fleet.dispatch(
          batch.map((id) => ({ id, input: this.inputs.get(id)! })),
          Math.ceil(batch.length / ready),
        );
        for (const id of batch.slice(0, sent)) this.#sentAt.set(id, Date.now());
        this.#queue.unshift(...batch.slice(sent));
      }
      if (this.#closed && this.#queue.length === 0 && this.confirmed.size === this.inputs.size) return true;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return false;
  }

  #newWorkflow(): string {
    const id = `wf-${String(this.inputs.size).padStart(6, "0")}`;
    const r = this.#random;
    const sleepMs = r.chance(this.#shape.sleepShare) ? Math.round(r.between(...this.#shape.sleepMs)) : 0;
    const input: ChaosInput = {
      steps: this.#shape.steps,
      stepMs: this.#shape.stepMs,
      parallel: r.chance(this.#shape.parallelShare),
      sleepMs,
      echo: r.chance(this.#shape.echoShare),
    };
    this.inputs.set(id, input);
    return id;
  }
}
