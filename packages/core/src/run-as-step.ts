// runAsStep: run a function once per workflow, checkpoint its outcome, and replay it afterwards.
import { checkOptions, DurablyError, maxTimerMs } from "@durably/sysdb";
import { abortableDelay } from "./abortable-delay.js";
import { DBOSContext } from "./dbos-context.js";
import { recordStep, replayedOutcome, unwrap, type StepOutcome } from "./step-checkpoint.js";
import { callAsStepFunction, isNestedOperationOf, nestedOperationError } from "./step-scope.js";
import { resolveRetryPolicy, retryDelayMs, stepRetryRules, type StepRetryOptions } from "./step-retry-policy.js";

export interface StepOptions extends StepRetryOptions {
  /** Name recorded for the step; replay checks it. Default: the function's name. */
  readonly name?: string;
  /**
   * Time one attempt may take, in ms (above 0, at most 2^31-1). Past it the step's `signal` aborts and
   * the attempt fails with a `TIMEOUT` error, which the retry options then treat like any other error
   * (recorded as the step's error when no retry is left). An attempt that ignores its signal is
   * abandoned, not awaited: its result is discarded. Default: no limit.
   */
  readonly timeoutMs?: number;
}

const stepOptionRules = {
  ...stepRetryRules,
  name: { type: "string", nonEmpty: true },
  timeoutMs: { type: "number", above: 0, max: maxTimerMs },
} as const;

/**
 * Runs `fn` as the workflow's next step. Its first execution is checkpointed in Postgres; when the
 * workflow replays after a crash, the recorded output is returned (or the recorded error thrown)
 * without calling `fn` again. Called inside a step, it throws NESTED_DURABLE_OPERATION.
 *
 * @example
 * const charged = await runAsStep(ctx, () => payments.charge(orderId), { name: "charge", maxRetries: 5 });
 */
export function runAsStep<T>(
  ctx: DBOSContext,
  fn: (stepCtx: DBOSContext) => Promise<T> | T,
  options: StepOptions = {},
): Promise<T> {
  if (!(ctx instanceof DBOSContext)) {
    return Promise.reject(
      new DurablyError("INVALID_ARGUMENT", "runAsStep's first argument must be the workflow's DBOSContext."),
    );
  }
  if (typeof fn !== "function")
    return Promise.reject(new DurablyError("INVALID_ARGUMENT", "runAsStep needs a function to run."));
  try {
    checkOptions("runAsStep", options, stepOptionRules);
  } catch (error) {
    return Promise.reject(error);
  }
  const name = options.name ?? (fn.name || "step");
  const nested = nestedOperationError(ctx, `runAsStep (${name})`);
  if (nested !== undefined) return Promise.reject(nested);
  const run = ctx.run;
  if (run === undefined) {
    return Promise.reject(
      new DurablyError(
        "INVALID_ARGUMENT",
        "runAsStep must be called inside a workflow, with the workflow's context (its first argument).",
      ),
    );
  }
  // Reserved before any await, so Promise.all over steps numbers them in call order.
  const stepID = run.nextStepID();
  return executeStep(ctx, stepID, name, fn, options);
}

async function executeStep<T>(
  ctx: DBOSContext,
  stepID: number,
  name: string,
  fn: (stepCtx: DBOSContext) => Promise<T> | T,
  options: StepOptions,
): Promise<T> {
  const run = ctx.run!;
  const runtime = ctx.runtime;
  const replayed = replayedOutcome(run, runtime, stepID, name);
  if (replayed !== undefined) return unwrap<T>(await replayed);
  // A process paused past its lease's lapse must learn it lost its workflows before any effect.
  if (runtime.lease?.isFresh() === false) await runtime.lease.confirm();
  runtime.lease?.stopIfLost(run);
  run.throwIfStopped();
  const policy = resolveRetryPolicy(options, name);
  const stepCtx = new DBOSContext(runtime, run, true);
  const startedAt = runtime.now();
  const errors: unknown[] = [];
  const observed = run.observer?.step({ stepID, name, type: "step" });
  let outcome: StepOutcome | undefined;
  for (let attempt = 0; outcome === undefined; attempt++) {
    try {
      const value =
        options.timeoutMs === undefined
          ? observed === undefined
            ? await callAsStepFunction(run, stepID, name, fn, stepCtx)
            : await observed.within(() => callAsStepFunction(run, stepID, name, fn, stepCtx))
          : observed === undefined
            ? await attemptWithTimeout(ctx, stepID, name, fn, options.timeoutMs)
            : await observed.within(() => attemptWithTimeout(ctx, stepID, name, fn, options.timeoutMs!));
      outcome = { ok: true, value };
    } catch (error) {
      // A step cut short by cancellation or shutdown is not checkpointed: it runs again on resume.
      if (observed !== undefined && run.stopReason !== undefined) observed.end(run.stopError(), attempt + 1);
      run.throwIfStopped();
      errors.push(error);
      // A durable operation nested in the step is refused the same way on every attempt.
      if (isNestedOperationOf(error, run)) {
        outcome = { ok: false, error };
      } else if (attempt >= policy.maxRetries || !policy.retryIf(error)) {
        outcome = {
          ok: false,
          error:
            policy.maxRetries > 0 && attempt >= policy.maxRetries
              ? exhausted(run.workflowID, name, stepID, errors)
              : error,
        };
      } else {
        runtime.logger.info("step failed; retrying", {
          workflowID: run.workflowID,
          step: name,
          attempt: attempt + 1,
          error,
        });
        const delayMs = retryDelayMs(policy, attempt + 1);
        observed?.retry(attempt + 1, error, delayMs);
        await abortableDelay(delayMs, run.signal);
      }
    }
  }
  if (observed !== undefined)
    observed.end(outcome.ok ? undefined : outcome.error, errors.length + (outcome.ok ? 1 : 0));
  run.throwIfStopped();
  return unwrap<T>(await recordStep(run, runtime, { stepID, name, outcome, startedAt }));
}

/**
 * One attempt of a step with a time limit: its context's signal aborts when the limit passes, and the
 * attempt then fails with TIMEOUT at once, whether or not `fn` heeds the signal.
 */
async function attemptWithTimeout<T>(
  ctx: DBOSContext,
  stepID: number,
  name: string,
  fn: (stepCtx: DBOSContext) => Promise<T> | T,
  timeoutMs: number,
): Promise<T> {
  const run = ctx.run!;
  const limit = new AbortController();
  const stepCtx = new DBOSContext(ctx.runtime, run, true, AbortSignal.any([run.signal, limit.signal]));
  // A synchronous throw from fn becomes this promise's rejection.
  const attempt = new Promise<T>((resolve) => resolve(callAsStepFunction(run, stepID, name, fn, stepCtx)));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DurablyError(
        "TIMEOUT",
        `Step ${name} of workflow ${run.workflowID} timed out after ${timeoutMs} ms; its signal was aborted and ` +
          "the attempt abandoned. Raise timeoutMs, or make the step honour ctx.signal.",
        { workflowID: run.workflowID, stepName: name, stepID, details: { timeoutMs } },
      );
      limit.abort(error);
      reject(error);
    }, timeoutMs);
  });
  // An abandoned attempt may still settle later; its outcome is discarded, never unhandled.
  attempt.catch(() => {});
  try {
    return await Promise.race([attempt, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function exhausted(workflowID: string, stepName: string, stepID: number, errors: unknown[]): DurablyError {
  const last = errors[errors.length - 1];
  const error = new DurablyError(
    "MAX_STEP_RETRIES_EXCEEDED",
    `Step ${stepName} of workflow ${workflowID} failed ${errors.length} times; the last ` +
      `error: ${last instanceof Error ? last.message : String(last)}`,
    { workflowID, stepName, stepID, cause: last },
  );
  // Every attempt's error, in order, as AggregateError does.
  Object.defineProperty(error, "errors", { value: errors, enumerable: true });
  return error;
}
