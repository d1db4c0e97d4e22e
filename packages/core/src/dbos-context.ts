// The explicit context every durably call takes: the runtime, plus the current workflow (if any).
import type { Runtime } from "./runtime.js";
import type { WorkflowRun } from "./workflow-run.js";

/**
 * The handle every durably function takes first. The one from `createDBOSContext` is the root;
 * inside a workflow, the workflow's own context (its first argument) carries the workflow's ID,
 * step counter and cancellation signal; inside a step, the step's context.
 */
export class DBOSContext {
  /** @internal */
  readonly runtime: Runtime;
  /** @internal The workflow this context belongs to, if any. */
  readonly run: WorkflowRun | undefined;
  /** @internal True inside a step's function. */
  readonly inStep: boolean;
  /** @internal A step's own signal (the workflow's, plus its timeout), if it has one. */
  readonly #stepSignal: AbortSignal | undefined;

  /** @internal Use createDBOSContext. */
  constructor(runtime: Runtime, run?: WorkflowRun, inStep = false, stepSignal?: AbortSignal) {
    this.runtime = runtime;
    this.run = run;
    this.inStep = inStep;
    this.#stepSignal = stepSignal;
    Object.freeze(this);
  }

  /**
   * Aborted when the workflow is cancelled, times out, or the process shuts down (in a step with
   * `timeoutMs`, also when that attempt's time is up); pass it to fetch and the like so a step
   * stops early. Never aborted on the root context.
   */
  get signal(): AbortSignal {
    return this.#stepSignal ?? this.run?.signal ?? neverAborted;
  }

  /** The application name from the config. */
  get appName(): string {
    return this.runtime.config.appName;
  }
}

const neverAborted = new AbortController().signal;
