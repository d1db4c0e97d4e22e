// The one seam between scenarios and the two libraries: the same workflows, registered and run
// through each library's own API, so every scenario does equal work on both.
import type { StatementCounter } from "../statement-counter.js";

export type LibraryName = "durably" | "dbos";

/** Application version both libraries run under, so recovery across processes finds the workflows. */
export const benchApplicationVersion = "bench-1";

export interface LibraryOptions {
  /** URL of this library's system database. */
  readonly url: string;
  /** Executor ID of this process. Default: the library's own default (`local`). */
  readonly executorId?: string;
  /** When given, every statement the library sends to its system database is recorded here. */
  readonly counter?: StatementCounter;
  /** Called inside step 2 of the recoverable workflow; the recovery scenario blocks there. */
  readonly beforeRecoverableStepTwo?: () => Promise<void>;
  /** Called at the start of every step of the long workflow, with the step's index. */
  readonly onLongWorkflowStep?: (index: number) => void;
  /** Registers the queue `bench` that `enqueue` uses, served in this process. */
  readonly queue?: QueueOptions;
  /** Hooks of the receiver and event-setter workflows. */
  readonly messaging?: MessagingHooks;
}

export interface MessagingHooks {
  /** In the receiver workflow, just before it calls recv. */
  readonly beforeRecv: () => void;
  /** In the receiver workflow, as soon as recv returned. */
  readonly afterRecv: () => void;
  /** In the event-setter workflow, awaited before it calls setEvent. */
  readonly beforeSetEvent: () => Promise<void>;
}

/** Topic of the receiver workflow's recv, and key of the event-setter's event. */
export const benchTopic = "bench";

export interface QueueOptions {
  /** Most workflows of the queue running at once in this process. */
  readonly workerConcurrency: number;
  /** Called when step 1 of a queued workflow begins, with the workflow's input. */
  readonly onStart: (input: number) => void;
  /** Called when step 3 of a queued workflow runs, with the workflow's input. */
  readonly onDone: (input: number) => void;
}

/** Name of the benchmark's queue. */
export const benchQueueName = "bench";

/**
 * A library with the benchmark's workflows registered, not yet launched:
 * - `threeSteps(x)`: steps stepOne, stepTwo, stepThree, each returning a number;
 * - `recoverable(x)`: the same three steps, with `beforeRecoverableStepTwo` called in step 2;
 * - `longWorkflow(n)`: n steps named `step`;
 * - `queuedThreeSteps(x)` (with the `queue` option): the three steps, calling `queue.onStart` in
 *   step 1 and `queue.onDone` in step 3;
 * - `receiver()`: one recv on topic `bench`; `eventSetter(x)`: sets event `bench` to x.
 */
export interface BenchLibrary {
  readonly name: LibraryName;
  /** Connects, creates and migrates the database if needed, recovers this executor's workflows. */
  launch(): Promise<void>;
  /** Starts a three-step workflow and waits for its result. */
  runThreeSteps(input: number): Promise<void>;
  /** Starts a recoverable workflow under this ID and returns without waiting for it. */
  startRecoverable(workflowID: string, input: number): Promise<void>;
  /** Waits for the workflow with this ID (started here or recovered here) to finish. */
  awaitWorkflow(workflowID: string): Promise<void>;
  /** Starts a workflow of `steps` steps and waits for its result. */
  runLongWorkflow(steps: number): Promise<void>;
  /** Enqueues `queuedThreeSteps(input)` on the bench queue; resolves once it is enqueued. */
  enqueue(input: number): Promise<void>;
  /** Starts `receiver` (or `eventSetter`) under this ID; resolves to a function awaiting its result. */
  startReceiver(workflowID: string): Promise<() => Promise<void>>;
  startEventSetter(workflowID: string, input: number): Promise<() => Promise<void>>;
  /** Sends `message` on topic `bench` to the workflow, from outside any workflow. */
  send(workflowID: string, message: number): Promise<void>;
  /** Waits for event `bench` of the workflow, from outside any workflow. */
  getEvent(workflowID: string): Promise<unknown>;
  shutdown(): Promise<void>;
}
