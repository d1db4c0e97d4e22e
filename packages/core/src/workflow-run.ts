// The state of one execution of one workflow in this process: ID, owner token, step counter,
// replayed checkpoints, cancellation, and the promise of its outcome.
import { DurablyError } from "@durably/sysdb";
import type { Checkpoint } from "@durably/sysdb/queries";
import type { WorkflowRunScope } from "./instrumentation.js";
import type { SerializationFormat } from "./serialization/index.js";

/**
 * Why a run stopped before its outcome could be written. "diverged": the code called another step
 * than the one recorded (UNEXPECTED_STEP); the run writes nothing and the workflow stays PENDING.
 */
export type StopReason = "cancelled" | "timeout" | "lost-ownership" | "shutdown" | "diverged";

export interface WorkflowRunInit {
  readonly workflowID: string;
  readonly name: string;
  readonly ownerXid: string;
  readonly format: SerializationFormat;
  readonly deadlineEpochMs: number | null;
  readonly checkpoints: Map<number, Checkpoint>;
  /** The application version on the workflow's row when this run took it (null: none recorded). */
  readonly applicationVersion: string | null;
}

export class WorkflowRun {
  readonly workflowID: string;
  readonly name: string;
  readonly ownerXid: string;
  readonly format: SerializationFormat;
  readonly deadlineEpochMs: number | null;
  /** Checkpoints recorded by earlier executions, by step ID (empty for a first execution). */
  readonly checkpoints: Map<number, Checkpoint>;
  readonly applicationVersion: string | null;
  /** The observer's scope of this run (setInstrumentation); undefined when nothing observes it. */
  observer: WorkflowRunScope | undefined;
  readonly #abort = new AbortController();
  #nextStepID = 0;
  #stopReason: StopReason | undefined;
  #divergence: DurablyError | undefined;

  constructor(init: WorkflowRunInit) {
    this.workflowID = init.workflowID;
    this.name = init.name;
    this.ownerXid = init.ownerXid;
    this.format = init.format;
    this.deadlineEpochMs = init.deadlineEpochMs;
    this.checkpoints = init.checkpoints;
    this.applicationVersion = init.applicationVersion;
  }

  /** Reserves the next step ID. Synchronous, so concurrent steps get IDs in call order. */
  nextStepID(): number {
    return this.#nextStepID++;
  }

  /** The ID the next step will get. */
  get currentStepID(): number {
    return this.#nextStepID;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get stopReason(): StopReason | undefined {
    return this.#stopReason;
  }

  /** Stops the run at its next step boundary and aborts its signal. The first reason wins. */
  stop(reason: StopReason): void {
    if (this.#stopReason !== undefined) return;
    this.#stopReason = reason;
    this.#abort.abort(this.stopError());
  }

  /**
   * Stops the run because its code diverged from the recorded history: every later step throws
   * `error` too, so a workflow that catches it still cannot record anything.
   */
  diverge(error: DurablyError): void {
    if (this.#stopReason !== undefined) return;
    this.#divergence = error;
    this.stop("diverged");
  }

  /** Throws if the run was stopped: called at every step boundary. */
  throwIfStopped(): void {
    if (this.#stopReason !== undefined) throw this.stopError();
  }

  /** The error a stopped run's steps throw. */
  stopError(): Error {
    switch (this.#stopReason) {
      case "cancelled":
        return new DurablyError("WORKFLOW_CANCELLED", `Workflow ${this.workflowID} was cancelled.`, {
          workflowID: this.workflowID,
        });
      case "timeout":
        return new DurablyError(
          "WORKFLOW_CANCELLED",
          `Workflow ${this.workflowID} was cancelled: it passed its deadline.`,
          {
            workflowID: this.workflowID,
          },
        );
      case "lost-ownership":
        return lostOwnership(this.workflowID);
      case "diverged":
        return this.#divergence!;
      case "shutdown":
        return new DurablyError(
          "LIFECYCLE",
          `Workflow ${this.workflowID} stopped because durably is shutting down; it stays PENDING and ` +
            `resumes at the next launch.`,
          {
            workflowID: this.workflowID,
          },
        );
      default:
        return new Error("not stopped");
    }
  }
}

/**
 * Thrown inside a run that no longer owns its workflow (resumed, recovered or dead-lettered
 * elsewhere). The run stops and adopts whatever outcome the owner records.
 */
export function lostOwnership(workflowID: string): DurablyError {
  const message = `Workflow ${workflowID} is now owned by another execution; this one stops and adopts its outcome.`;
  return new DurablyError("LOST_OWNERSHIP", message, { workflowID });
}
