// The primitive add-ons build on: run an operation as the current workflow's next step, with its
// outcome recorded under that step ID, and replayed instead of re-run afterwards.
import { checkOptions, DurablyError } from "@durably/sysdb";
import type { DBOSContext } from "./dbos-context.js";
import type { AtomicOutcome, DurableStep } from "./durable-step.js";
import { operationTypeOf } from "./instrumentation.js";
import type { SerializationFormat } from "./serialization/index.js";
import { recordStep, replayedOutcome, resolveRefusedStep, unwrap, type StepOutcome } from "./step-checkpoint.js";
import { assertNotInsideStep, callAsStepFunction } from "./step-scope.js";
import type { WorkflowRun } from "./workflow-run.js";

export interface DurableOperationOptions {
  /** Format to store the outcome in; default the workflow's. */
  readonly format?: SerializationFormat;
  /** Recorded in the checkpoint's child_workflow_id column. */
  readonly childWorkflowID?: string;
  /**
   * The operation's type as observers (OpenTelemetry's `dbos.operation.type`) see it. Default: the part
   * after `DBOS.` of a `DBOS.` name (`"sleep"`, `"send"`), else `"step"`.
   */
  readonly operationType?: string;
}

/**
 * Runs `operation` once as the workflow's next step (named `name`, e.g. `"DBOS.send"`) and
 * checkpoints what it returned or threw. Replays return the recorded result. Outside a workflow
 * it just runs `operation` (with no step). Inside a step it throws NESTED_DURABLE_OPERATION, and so
 * does any durable operation of the same workflow started inside `operation`.
 *
 * @example
 * const wakeAt = await runDurableOperation(ctx, "DBOS.sleep", async () => Date.now() + ms, {
 *   format: "portable_json",
 * });
 */
export async function runDurableOperation<T>(
  ctx: DBOSContext,
  name: string,
  operation: (step: DurableStep | undefined) => Promise<T>,
  options: DurableOperationOptions = {},
): Promise<T> {
  checkOptions(`runDurableOperation(${JSON.stringify(name)})`, options, {
    format: { type: "string", enum: ["js_superjson", "portable_json"] },
    childWorkflowID: { type: "string", nonEmpty: true },
    operationType: { type: "string", nonEmpty: true },
  });
  const run = enterStep(ctx, name);
  if (run === undefined) return operation(undefined);
  const stepID = run.nextStepID();
  const replayed = replayedOutcome(run, ctx.runtime, stepID, name);
  if (replayed !== undefined) return unwrap<T>(await replayed);
  // As in runAsStep: a process paused past its lease's lapse learns it before the operation runs.
  if (ctx.runtime.lease?.isFresh() === false) await ctx.runtime.lease.confirm();
  ctx.runtime.lease?.stopIfLost(run);
  run.throwIfStopped();
  const step = stepOf(ctx, run, stepID);
  const observed = run.observer?.step({ stepID, name, type: operationTypeOf(name, options.operationType) });
  let outcome: StepOutcome;
  try {
    const value =
      observed === undefined
        ? await callAsStepFunction(run, stepID, name, operation, step)
        : await observed.within(() => callAsStepFunction(run, stepID, name, operation, step));
    outcome = { ok: true, value };
  } catch (error) {
    if (observed !== undefined && run.stopReason !== undefined) observed.end(run.stopError(), 1);
    run.throwIfStopped();
    outcome = { ok: false, error };
  }
  observed?.end(outcome.ok ? undefined : outcome.error, 1);
  run.throwIfStopped();
  return unwrap<T>(
    await recordStep(run, ctx.runtime, {
      stepID,
      name,
      outcome,
      startedAt: step.startedAt,
      childWorkflowID: options.childWorkflowID ?? null,
      ...(options.format === undefined ? {} : { format: options.format }),
    }),
  );
}

/**
 * Like {@link runDurableOperation}, for an operation that writes its own checkpoint in the same
 * statement as its effect (so the two commit together): it reports whether its fenced write
 * happened. A thrown error is checkpointed as the step's outcome by core.
 *
 * @example
 * await runAtomicOperation(ctx, "DBOS.writeStream", (step) => appendToStreamAndCheckpoint(step, key, value));
 */
export async function runAtomicOperation<T>(
  ctx: DBOSContext,
  name: string,
  operation: (step: DurableStep) => Promise<AtomicOutcome<T>>,
): Promise<T> {
  const run = enterStep(ctx, name);
  if (run === undefined)
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `${name} must be called inside a workflow, with the workflow's context.`,
    );
  const stepID = run.nextStepID();
  return atomicStep(ctx, run, stepID, name, operation, true);
}

/** Runs one atomic step at an already reserved step ID (replay, fencing, error recording). */
export async function atomicStep<T>(
  ctx: DBOSContext,
  run: WorkflowRun,
  stepID: number,
  name: string,
  operation: (step: DurableStep) => Promise<AtomicOutcome<T>>,
  observeAtomic = false,
): Promise<T> {
  const replayed = replayedOutcome(run, ctx.runtime, stepID, name);
  if (replayed !== undefined) return unwrap<T>(await replayed);
  run.throwIfStopped();
  const step = stepOf(ctx, run, stepID);
  // A durable wait's tries come here too; its observer follows the whole wait instead.
  const observed = observeAtomic
    ? run.observer?.step({ stepID, name, type: operationTypeOf(name, undefined) })
    : undefined;
  let result: AtomicOutcome<T>;
  try {
    result =
      observed === undefined
        ? await callAsStepFunction(run, stepID, name, operation, step)
        : await observed.within(() => callAsStepFunction(run, stepID, name, operation, step));
  } catch (error) {
    observed?.end(error, 1);
    run.throwIfStopped();
    return unwrap<T>(
      await recordStep(run, ctx.runtime, { stepID, name, outcome: { ok: false, error }, startedAt: step.startedAt }),
    );
  }
  observed?.end(undefined, 1);
  if (result.recorded) return result.value;
  return unwrap<T>(await resolveRefusedStep(run, ctx.runtime, stepID, name));
}

/** The run a durable operation belongs to; throws NESTED_DURABLE_OPERATION inside a step. */
export function enterStep(ctx: DBOSContext, name: string): WorkflowRun | undefined {
  assertNotInsideStep(ctx, name);
  return ctx.run;
}

export function stepOf(ctx: DBOSContext, run: WorkflowRun, stepID: number): DurableStep {
  return {
    workflowID: run.workflowID,
    stepID,
    ownerXid: run.ownerXid,
    applicationName: ctx.runtime.config.appName,
    format: run.format,
    startedAt: ctx.runtime.now(),
  };
}
