// Which step's function is running, carried along the async calls it makes, so that a durable
// operation started inside it is refused whichever context object it was given: the step's own,
// or the workflow's closed over. Such an operation would take extra step IDs and run again on
// every retry of the step (a transaction committing twice). Steps that the workflow function
// starts side by side (Promise.all) are not inside each other, so they are not refused.
import { AsyncLocalStorage } from "node:async_hooks";
import { DurablyError, isDurablyError } from "@durably/sysdb";
import type { DBOSContext } from "./dbos-context.js";
import type { WorkflowRun } from "./workflow-run.js";

interface RunningStep {
  readonly run: WorkflowRun;
  readonly stepID: number;
  readonly name: string;
}

const runningStep = new AsyncLocalStorage<RunningStep>();

/** Calls `fn(arg)` as the function of step `stepID` of `run`: `run`'s durable operations are refused inside it. */
export function callAsStepFunction<A, R>(run: WorkflowRun, stepID: number, name: string, fn: (arg: A) => R, arg: A): R {
  return runningStep.run({ run, stepID, name }, fn, arg);
}

/**
 * Throws NESTED_DURABLE_OPERATION when durable operation `operation` (e.g. `"runAsTransaction
 * (charge)"`) is started inside a step's function of the workflow `ctx` belongs to. Every
 * durable operation calls it before it takes a step ID.
 */
export function assertNotInsideStep(ctx: DBOSContext, operation: string): void {
  const error = nestedOperationError(ctx, operation);
  if (error !== undefined) throw error;
}

/** The error {@link assertNotInsideStep} throws, or undefined: for callers that return a rejected promise. */
export function nestedOperationError(ctx: DBOSContext, operation: string): DurablyError | undefined {
  const run = ctx.run;
  if (run === undefined) return undefined;
  const step = runningStep.getStore();
  if (step !== undefined && step.run === run) return nestedOperation(operation, run, step);
  // A step's context used after its step returned (kept in a closure, say).
  if (ctx.inStep) return nestedOperation(operation, run, undefined);
  return undefined;
}

/** True for the refusal of an operation nested in a step of `run`: retrying the step cannot help. */
export function isNestedOperationOf(error: unknown, run: WorkflowRun): boolean {
  return isDurablyError(error, "NESTED_DURABLE_OPERATION") && error.workflowID === run.workflowID;
}

function nestedOperation(operation: string, run: WorkflowRun, step: RunningStep | undefined): DurablyError {
  const where = step === undefined ? "with a step's context" : `inside step "${step.name}" (step ${step.stepID})`;
  return new DurablyError(
    "NESTED_DURABLE_OPERATION",
    `${operation} was called ${where} of workflow ${run.workflowID}. A durable operation cannot run inside a step: ` +
      "the step may run again, and its operation with it. Call it from the workflow function, outside the step, " +
      "or start a child workflow from the workflow function and call it there.",
    {
      workflowID: run.workflowID,
      ...(step === undefined ? {} : { stepID: step.stepID, stepName: step.name }),
      details: { operation },
    },
  );
}
