// Running a workflow this executor just claimed (recovered or dequeued): dead-letter it if it
// was recovered too often, else load its checkpoints once and replay it.
import { DurablyError } from "@durably/sysdb";
import {
  deadLetterWorkflow,
  internalQueueName,
  loadCheckpoints,
  recordWorkflowOutcome,
  type Checkpoint,
  type WorkflowRecord,
} from "@durably/sysdb/queries";
import { withDatabaseRetry } from "./database-retry.js";
import { executeWorkflow } from "./execute-workflow.js";
import type { RunOrigin } from "./instrumentation.js";
import type { Runtime } from "./runtime.js";
import { decodeWorkflowInput, encodeError, isSerializationFormat } from "./serialization/index.js";

/** Starts a claimed workflow in the background; problems are logged, never thrown. */
export async function resumeClaimedWorkflow(
  runtime: Runtime,
  record: WorkflowRecord,
  origin: RunOrigin = "dequeued",
): Promise<void> {
  const log = { workflowID: record.workflowID, workflow: record.name, attempts: record.recoveryAttempts };
  const workflow = record.name === null ? undefined : runtime.registry.get(record.name);
  if (workflow === undefined) {
    // Left PENDING for an executor that has the code; recovery attempts keep counting.
    runtime.logger.warn("cannot run a claimed workflow: its name is not registered here", log);
    return;
  }
  const ownerXid = record.ownerXid!;
  const limit = workflow.maxRecoveryAttempts;
  if (limit > 0 && record.recoveryAttempts > limit + 1) {
    await withDatabaseRetry("dead-letter a workflow", () =>
      deadLetterWorkflow(runtime.sysdb, record.workflowID, ownerXid, runtime.now()),
    );
    runtime.logger.warn("workflow moved to the dead-letter queue: too many recovery attempts", {
      ...log,
      maxRecoveryAttempts: limit,
    });
    return;
  }
  const format = isSerializationFormat(record.serialization) ? record.serialization : runtime.config.serializer;
  let input: unknown;
  try {
    input = decodeWorkflowInput(
      record.inputs ?? null,
      record.serialization,
      runtime.config.serializer,
      `input of workflow ${record.workflowID}`,
      record.scheduleName !== null,
    );
  } catch (error) {
    // A poison input can never run: record the typed error instead of retrying forever.
    runtime.logger.error("workflow input cannot be decoded; recording the error", { ...log, error });
    const text = encodeError(error, format, `error of workflow ${record.workflowID}`, runtime.config.maxPayloadBytes);
    await withDatabaseRetry("record an undecodable workflow", () =>
      recordWorkflowOutcome(runtime.sysdb, {
        workflowID: record.workflowID,
        ownerXid,
        status: "ERROR",
        output: null,
        error: text,
        now: runtime.now(),
      }),
    );
    return;
  }
  // A workflow dequeued for its first run has no history: skip the read.
  const checkpoints =
    record.hasCheckpoints === false
      ? new Map<number, Checkpoint>()
      : await withDatabaseRetry("load checkpoints", () => loadCheckpoints(runtime.sysdb, record.workflowID));
  runtime.logger.info("resuming workflow", { ...log, checkpoints: checkpoints.size });
  executeWorkflow(
    runtime,
    workflow,
    {
      workflowID: record.workflowID,
      ownerXid,
      format,
      deadlineEpochMs: record.deadlineEpochMs,
      checkpoints,
      applicationVersion: record.applicationVersion,
      origin: runOrigin(origin, record),
      queueName: record.queueName,
      createdAt: record.createdAt,
      // The claims return the whole row: the observer needs no read of its own.
      traceContext: record.traceContext,
    },
    input,
  );
}

/** A dequeue of a workflow that ran before (its worker died, or it was resumed) is a recovery. */
function runOrigin(origin: RunOrigin, record: WorkflowRecord): RunOrigin {
  if (origin !== "dequeued") return origin;
  if (record.queueName === internalQueueName) return "resumed";
  return record.recoveryAttempts > 1 ? "recovered" : "dequeued";
}

/** Resumes each claimed workflow, logging failures so one bad row never blocks the others. */
export async function resumeClaimedWorkflows(
  runtime: Runtime,
  records: readonly WorkflowRecord[],
  origin: RunOrigin = "dequeued",
): Promise<void> {
  if (records.length > 0) runtime.instrumentation?.event?.({ kind: "claimed", origin, count: records.length });
  await Promise.all(
    records.map((record) =>
      resumeClaimedWorkflow(runtime, record, origin).catch((error: unknown) =>
        runtime.logger.error("could not resume a claimed workflow", {
          workflowID: record.workflowID,
          error: error instanceof DurablyError || error instanceof Error ? error : String(error),
        }),
      ),
    ),
  );
}
