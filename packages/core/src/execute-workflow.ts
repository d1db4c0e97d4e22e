// Runs a workflow function in this process and records its outcome, fenced on ownership: a run
// that lost its row (cancelled, timed out, re-owned) never writes and adopts the recorded outcome.
import { cancelWorkflows, type Checkpoint } from "@durably/sysdb/queries";
import { DBOSContext } from "./dbos-context.js";
import { withDatabaseRetry } from "./database-retry.js";
import { awaitOutcome } from "./recorded-outcome.js";
import { resultWakeOf } from "./result-wake.js";
import { encodeError, encodeValue, type SerializationFormat } from "./serialization/index.js";
import type { RunOrigin, TraceCarrier, WorkflowRunScope } from "./instrumentation.js";
import type { ActiveRun, Runtime, RunOutcome } from "./runtime.js";
import type { AnyWorkflow } from "./workflow.js";
import { WorkflowRun } from "./workflow-run.js";

export interface ExecutionInit {
  readonly workflowID: string;
  readonly ownerXid: string;
  readonly format: SerializationFormat;
  readonly deadlineEpochMs: number | null;
  readonly checkpoints?: Map<number, Checkpoint>;
  /** The version on the row (default: this process's). */
  readonly applicationVersion?: string | null;
  /** For an observer (setInstrumentation): how the run came here (default "started"). */
  readonly origin?: RunOrigin;
  /** For an observer: the trace context its start stored (null: none), when known here. */
  readonly traceContext?: TraceCarrier | null | undefined;
  /** For an observer: the row's queue and creation time. */
  readonly queueName?: string | null;
  readonly createdAt?: number;
}

/** Starts `workflow` on `input` in the background and tracks it as active until its outcome is known. */
export function executeWorkflow(
  runtime: Runtime,
  workflow: AnyWorkflow,
  init: ExecutionInit,
  input: unknown,
): ActiveRun {
  const run = new WorkflowRun({
    ...init,
    name: workflow.name,
    checkpoints: init.checkpoints ?? new Map(),
    applicationVersion: init.applicationVersion === undefined ? runtime.applicationVersion : init.applicationVersion,
  });
  // A run of the same workflow already here lost it to this one (resumed, recovered elsewhere).
  const previous = runtime.active.get(run.workflowID);
  if (previous !== undefined) {
    runtime.logger.debug("a newer run of the workflow replaces the local one", { workflowID: run.workflowID });
    previous.run.stop("lost-ownership");
  }
  const outcome = (
    runtime.instrumentation?.workflowRun === undefined
      ? runToOutcome(runtime, workflow, run, input)
      : observedRunToOutcome(runtime, workflow, run, input, init)
  ).finally(() => {
    if (runtime.active.get(run.workflowID) === active) runtime.active.delete(run.workflowID);
    resultWakeOf(runtime)?.finished(run.workflowID);
  });
  const active: ActiveRun = { run, outcome };
  runtime.active.set(run.workflowID, active);
  // Nobody may be waiting; the outcome is in the database either way.
  outcome.catch(() => undefined);
  return active;
}

/** runToOutcome under the observer's scope of the run, which sees how it ended. */
async function observedRunToOutcome(
  runtime: Runtime,
  workflow: AnyWorkflow,
  run: WorkflowRun,
  input: unknown,
  init: ExecutionInit,
): Promise<RunOutcome> {
  let observer: WorkflowRunScope | undefined;
  try {
    const observed = runtime.instrumentation?.workflowRun?.({
      workflowID: run.workflowID,
      workflowName: run.name,
      queueName: init.queueName ?? null,
      applicationVersion: run.applicationVersion,
      executorID: runtime.config.executorId,
      origin: init.origin ?? "started",
      traceContext: init.traceContext,
      createdAt: init.createdAt,
      replayedSteps: run.checkpoints.size,
    });
    // Only a promise (a run that must read its stored context first) costs a turn of the event loop.
    observer = observed instanceof Promise ? await observed : observed;
  } catch (error) {
    runtime.logger.warn("instrumentation failed to observe a workflow run", { workflowID: run.workflowID, error });
  }
  run.observer = observer;
  const outcome = await runToOutcome(runtime, workflow, run, input);
  if (observer !== undefined) {
    const reason = run.stopReason;
    observer.end(
      reason !== undefined
        ? { status: "STOPPED", reason, error: run.stopError() }
        : outcome.kind === "success"
          ? { status: "SUCCESS" }
          : { status: "ERROR", error: outcome.error },
    );
  }
  return outcome;
}

async function runToOutcome(
  runtime: Runtime,
  workflow: AnyWorkflow,
  run: WorkflowRun,
  input: unknown,
): Promise<RunOutcome> {
  const clearDeadline = armDeadline(runtime, run);
  let own: RunOutcome;
  try {
    const ctx = new DBOSContext(runtime, run);
    const observer = run.observer;
    own = {
      kind: "success",
      value: await (observer === undefined ? workflow.fn(ctx, input) : observer.within(() => workflow.fn(ctx, input))),
    };
  } catch (error) {
    own = { kind: "error", error };
  } finally {
    clearDeadline();
  }
  const log = { workflowID: run.workflowID, workflow: run.name };
  switch (run.stopReason) {
    case "shutdown":
      return { kind: "error", error: run.stopError() };
    case "diverged":
      // Nothing is written: the row stays PENDING with its checkpoints, ready for a resume or a
      // fork once code that replays it is deployed (or for adoption by a worker of such a version).
      runtime.logger.error("workflow stopped: its code diverged from its recorded steps; it stays PENDING", {
        ...log,
        error: run.stopError(),
      });
      return { kind: "error", error: run.stopError() };
    case "cancelled":
    case "timeout":
    case "lost-ownership":
      runtime.logger.info("workflow stopped; adopting the recorded outcome", { ...log, reason: run.stopReason });
      return awaitOutcome(runtime, run.workflowID, { fromDatabaseOnly: true });
    default:
      break;
  }
  const where = `workflow ${run.workflowID}`;
  let output: string | null = null;
  let error: string | null = null;
  try {
    if (own.kind === "success")
      output = encodeValue(own.value, run.format, `output of ${where}`, runtime.config.maxPayloadBytes);
    else error = encodeError(own.error, run.format, `error of ${where}`, runtime.config.maxPayloadBytes);
  } catch (serializationError) {
    own = { kind: "error", error: serializationError };
    error = encodeError(serializationError, run.format, `error of ${where}`, runtime.config.maxPayloadBytes);
  }
  const status = own.kind === "success" ? "SUCCESS" : "ERROR";
  const recorded = await runtime.groupCommit.recordOutcome({
    workflowID: run.workflowID,
    ownerXid: run.ownerXid,
    status,
    output,
    error,
    now: runtime.now(),
  });
  if (recorded) {
    runtime.logger.debug("workflow finished", { ...log, status });
    return own;
  }
  runtime.logger.info("workflow lost its row before finishing; adopting the recorded outcome", log);
  return awaitOutcome(runtime, run.workflowID, { fromDatabaseOnly: true });
}

/** Cancels the workflow durably when its deadline passes. Returns the function that disarms it. */
function armDeadline(runtime: Runtime, run: WorkflowRun): () => void {
  if (run.deadlineEpochMs === null) return () => undefined;
  const fire = () => {
    run.stop("timeout");
    withDatabaseRetry(
      "cancel a workflow past its deadline",
      () => cancelWorkflows(runtime.sysdb, [run.workflowID], runtime.now()),
      {
        logger: runtime.logger,
      },
    ).catch((error) =>
      runtime.logger.error("could not cancel a workflow past its deadline", { workflowID: run.workflowID, error }),
    );
  };
  const remaining = run.deadlineEpochMs - runtime.now();
  if (remaining <= 0) {
    queueMicrotask(fire);
    return () => undefined;
  }
  // setTimeout overflows past 2^31-1 ms (24.8 days): check again until the deadline is reached.
  let timer = setTimeout(
    function check() {
      const left = run.deadlineEpochMs! - runtime.now();
      if (left <= 0) fire();
      else timer = setTimeout(check, Math.min(left, 2 ** 31 - 1));
    },
    Math.min(remaining, 2 ** 31 - 1),
  );
  return () => clearTimeout(timer);
}
