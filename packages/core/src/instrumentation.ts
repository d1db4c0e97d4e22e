// The hook an observer (such as @durably/otel) installs on a context to see workflows, steps and
// engine events. Core calls it only where it is set: without one, each hook point costs one branch.
import type { TraceCarrier } from "@durably/sysdb/queries";
import { checkContext } from "./check-context.js";
import type { DBOSContext } from "./dbos-context.js";

export type { TraceCarrier };

/** How a run came to execute in this process. */
export type RunOrigin = "started" | "dequeued" | "recovered" | "adopted" | "resumed";

/** A workflow about to be written (started, enqueued, or a child of a running workflow). */
export interface WorkflowStartInfo {
  readonly workflowID: string;
  readonly workflowName: string;
  /** The queue it is enqueued on; null when it starts at once. */
  readonly queueName: string | null;
  /** The parent's run scope when a workflow starts a child (recorded at `parentStepID`). */
  readonly parent: WorkflowRunScope | undefined;
  readonly parentStepID: number | undefined;
  readonly applicationVersion: string | null;
}

/** What an observer keeps of one start. */
export interface WorkflowStartScope {
  /** The trace context to store with the workflow (in its workflow_status row), read back when it runs. */
  readonly traceContext: TraceCarrier | undefined;
  /** The start finished: `inserted` false when the ID existed; `error` when it failed. */
  end(inserted: boolean, error?: unknown): void;
}

/** A run of a workflow beginning in this process. */
export interface WorkflowRunInfo {
  readonly workflowID: string;
  readonly workflowName: string;
  readonly queueName: string | null;
  readonly applicationVersion: string | null;
  readonly executorID: string;
  readonly origin: RunOrigin;
  /**
   * The stored trace context when it is known without a read (a start in this process, or a claim
   * that returned the row); null when the workflow has none; undefined when unknown.
   */
  readonly traceContext: TraceCarrier | null | undefined;
  /** When the workflow row was created (epoch ms), for enqueue-to-start latency; undefined if unknown. */
  readonly createdAt: number | undefined;
  /** How many steps were recorded by earlier executions (they replay and are not observed). */
  readonly replayedSteps: number;
}

/** A step (or durable operation) executing for the first time; replayed ones are never observed. */
export interface StepInfo {
  readonly stepID: number;
  readonly name: string;
  /** "step", "transaction", "sleep", "send", "recv", "getEvent", "setEvent", "workflow" (a child's start)… */
  readonly type: string;
}

export interface StepScope {
  /** Calls `fn` with the step current (so instrumentation in the step's code nests under it). */
  within<T>(fn: () => T): T;
  /** An attempt failed and will be retried after `delayMs`; `attempt` counts from 1. */
  retry(attempt: number, error: unknown, delayMs: number): void;
  /** The step finished: `error` when it failed, `attempts` how many tries it took. */
  end(error: unknown, attempts: number): void;
}

export type RunEnd =
  | { readonly status: "SUCCESS" }
  | { readonly status: "ERROR"; readonly error: unknown }
  /** Cancelled, timed out, stopped at shutdown, lost to another owner, or diverged: nothing recorded by this run. */
  | { readonly status: "STOPPED"; readonly reason: string; readonly error: unknown };

export interface WorkflowRunScope {
  /** Calls `fn` with the run current. */
  within<T>(fn: () => T): T;
  /** A step of this run starts executing; undefined when the observer does not follow it. */
  step(info: StepInfo): StepScope | undefined;
  end(end: RunEnd): void;
}

/** A message sent from outside a workflow (application code or a client); a workflow's send is its step. */
export interface MessageSendInfo {
  /** The message's ID (notifications.message_uuid), by which the recv that consumes it finds its trace context. */
  readonly messageID: string;
  readonly destinationID: string;
  readonly topic: string | null;
}

/** Engine events without a run: counted, never traced. */
export type EngineEvent =
  | { readonly kind: "checkpoint-batch"; readonly size: number }
  | { readonly kind: "claimed"; readonly origin: RunOrigin; readonly count: number };

export interface Instrumentation {
  /** Before a workflow's row is inserted. */
  workflowStart?(start: WorkflowStartInfo): WorkflowStartScope | undefined;
  /** Before a workflow's function is called in this process. A promise delays the run until it settles. */
  workflowRun?(run: WorkflowRunInfo): WorkflowRunScope | Promise<WorkflowRunScope | undefined> | undefined;
  /** Before a message sent from outside a workflow is written; its `within` wraps the write. */
  messageSend?(send: MessageSendInfo): StepScope | undefined;
  /** Engine events (checkpoint batches, claims). */
  event?(event: EngineEvent): void;
}

/**
 * Installs `instrumentation` on a context (replacing any earlier one; undefined removes it). Core
 * calls its hooks synchronously on the workflow's path; they must not throw.
 *
 * @example
 * setInstrumentation(dbos, { event: (e) => console.log(e) });
 */
export function setInstrumentation(ctx: DBOSContext, instrumentation: Instrumentation | undefined): void {
  checkContext("setInstrumentation", ctx);
  ctx.runtime.instrumentation = instrumentation;
}

/** The operation type an observer sees for a durable operation named `name` ("DBOS.recv" → "recv"). */
export function operationTypeOf(name: string, given: string | undefined): string {
  return given ?? (name.startsWith("DBOS.") ? name.slice(5) : "step");
}
