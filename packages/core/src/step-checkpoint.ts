// Replaying and recording one step's outcome under its step ID: the machinery shared by
// runAsStep, sleep, child-workflow results and the add-ons' durable operations.
import { DurablyError } from "@durably/sysdb";
import { explainCheckpointRefusal, loadCheckpointPayload, type Checkpoint } from "@durably/sysdb/queries";
import { withDatabaseRetry } from "./database-retry.js";
import { decodeError, decodeValue, encodeError, encodeValue, type SerializationFormat } from "./serialization/index.js";
import type { Runtime } from "./runtime.js";
import { lostOwnership, type WorkflowRun } from "./workflow-run.js";

/** A step's result as stored: exactly one of output or error. */
export type StepOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/**
 * The recorded outcome at `stepID`, after checking it was recorded under the same name. A promise
 * only for a large payload the replay load deferred: it is read now, for this step alone, and not
 * kept, so a replay holds one large value at a time. A first run (no checkpoint) stays synchronous.
 */
export function replayedOutcome(
  run: WorkflowRun,
  runtime: Runtime,
  stepID: number,
  name: string,
): StepOutcome | Promise<StepOutcome> | undefined {
  const recorded = run.checkpoints.get(stepID);
  if (recorded === undefined) return undefined;
  assertSameStep(run, recorded, name);
  if (recorded.payloadDeferred === true) return replayDeferred(run, runtime, recorded, name);
  return decodeCheckpoint(runtime, recorded, name);
}

async function replayDeferred(
  run: WorkflowRun,
  runtime: Runtime,
  recorded: Checkpoint,
  name: string,
): Promise<StepOutcome> {
  const payload = await withDatabaseRetry(
    "load a step's recorded output",
    () => loadCheckpointPayload(runtime.sysdb, run.workflowID, recorded.stepID),
    { logger: runtime.logger, signal: runtime.shutdownSignal },
  );
  if (payload === undefined) {
    // The row vanished under the run (a concurrent delete): the run cannot go on.
    run.stop("lost-ownership");
    throw lostOwnership(run.workflowID);
  }
  return decodeCheckpoint(runtime, { ...recorded, ...payload }, name);
}

/**
 * Throws the determinism error when a different operation was recorded at this step ID, and stops
 * the run: it records nothing more (no outcome either), so the workflow stays PENDING and can be
 * resumed or forked once code that replays it runs.
 */
export function assertSameStep(run: WorkflowRun, recorded: Checkpoint, name: string): void {
  if (recorded.name === name) return;
  const version = run.applicationVersion ?? "(none recorded)";
  const error = new DurablyError(
    "UNEXPECTED_STEP",
    `Workflow ${run.workflowID} (${run.name}) is not deterministic: step ${recorded.stepID} was recorded as ` +
      `"${recorded.name}" ` +
      `by application version ${version}, but this code calls "${name}" there. ` +
      "The workflow is left PENDING and unchanged. Guard the change with patched(ctx, id), or run this workflow " +
      "on a worker with the code of its version, then resume it (or fork it from an earlier step).",
    {
      workflowID: run.workflowID,
      stepID: recorded.stepID,
      stepName: name,
      details: {
        workflowName: run.name,
        recordedName: recorded.name,
        newName: name,
        applicationVersion: run.applicationVersion,
      },
    },
  );
  run.diverge(error);
  throw error;
}

function decodeCheckpoint(runtime: Runtime, recorded: Checkpoint, name: string): StepOutcome {
  const where = `recorded ${recorded.error === null ? "output" : "error"} of step ${name}`;
  const defaultFormat = runtime.config.serializer;
  if (recorded.error !== null)
    return { ok: false, error: decodeError(recorded.error, recorded.serialization, defaultFormat, where) };
  return { ok: true, value: decodeValue(recorded.output, recorded.serialization, defaultFormat, where) };
}

export interface RecordStepInput {
  readonly stepID: number;
  readonly name: string;
  readonly outcome: StepOutcome;
  readonly startedAt: number;
  readonly childWorkflowID?: string | null;
  /** Overrides the run's format (DBOS stores sleep deadlines as portable_json). */
  readonly format?: SerializationFormat;
}

/**
 * Checkpoints a step's outcome and returns the outcome the workflow must continue with: its own,
 * or, when this step was already recorded by this run's earlier attempt, the recorded one.
 * Throws when the run was cancelled or lost its workflow meanwhile (nothing is recorded then).
 */
export async function recordStep(run: WorkflowRun, runtime: Runtime, input: RecordStepInput): Promise<StepOutcome> {
  const format = input.format ?? run.format;
  const where = `${input.outcome.ok ? "output" : "error"} of step ${input.name} (workflow ${run.workflowID})`;
  let outcome = input.outcome;
  let output: string | null = null;
  let error: string | null = null;
  try {
    if (outcome.ok) output = encodeValue(outcome.value, format, where, runtime.config.maxPayloadBytes);
    else error = encodeError(outcome.error, format, where, runtime.config.maxPayloadBytes);
  } catch (serializationError) {
    // The value cannot be stored: the step fails with the typed error, and that is what is recorded.
    outcome = { ok: false, error: serializationError };
    error = encodeError(serializationError, format, where, runtime.config.maxPayloadBytes);
  }
  const written = await runtime.groupCommit.writeCheckpoint({
    workflowID: run.workflowID,
    stepID: input.stepID,
    name: input.name,
    output,
    error,
    childWorkflowID: input.childWorkflowID ?? null,
    serialization: format,
    startedAt: input.startedAt,
    completedAt: runtime.now(),
    ownerXid: run.ownerXid,
    applicationName: runtime.config.appName,
  });
  if (written) return outcome;
  return resolveRefusedStep(run, runtime, input.stepID, input.name);
}

/**
 * After a checkpoint at `stepID` was refused: stops the run (and throws) if the workflow was
 * cancelled or changed hands; otherwise returns the outcome already recorded at that step (our
 * own earlier write whose reply was lost, or a replay race).
 */
export async function resolveRefusedStep(
  run: WorkflowRun,
  runtime: Runtime,
  stepID: number,
  name: string,
): Promise<StepOutcome> {
  const refusal = await withDatabaseRetry(
    "explain a refused checkpoint",
    () => explainCheckpointRefusal(runtime.sysdb, run.workflowID, stepID),
    {
      logger: runtime.logger,
      signal: runtime.shutdownSignal,
    },
  );
  if (refusal.status === "CANCELLED") {
    run.stop("cancelled");
    run.throwIfStopped();
  }
  if (refusal.status !== "PENDING" || refusal.ownerXid !== run.ownerXid) {
    runtime.logger.debug("checkpoint refused: the workflow changed hands", {
      workflowID: run.workflowID,
      step: name,
      status: refusal.status,
    });
    run.stop("lost-ownership");
    throw lostOwnership(run.workflowID);
  }
  if (refusal.existing !== undefined) {
    assertSameStep(run, refusal.existing, name);
    return decodeCheckpoint(runtime, refusal.existing, name);
  }
  throw new DurablyError(
    "DATABASE_ERROR",
    `The checkpoint of step ${name} of workflow ${run.workflowID} was not written, for no known reason.`,
    {
      workflowID: run.workflowID,
      stepID,
    },
  );
}

/** Returns the value of a successful outcome, or throws its error. */
export function unwrap<T>(outcome: StepOutcome): T {
  if (outcome.ok) return outcome.value as T;
  throw outcome.error;
}
