// Turning a workflow's recorded status into the outcome its handles report, and waiting for it.
import { DurablyError } from "@durably/sysdb";
import { getWorkflow, terminalStatuses, type WorkflowRecord } from "@durably/sysdb/queries";
import { abortableDelay } from "./abortable-delay.js";
import { resultWakeOf, type ResultWaiter } from "./result-wake.js";
import { withDatabaseRetry } from "./database-retry.js";
import { decodeError, decodeValue } from "./serialization/index.js";
import type { Runtime, RunOutcome } from "./runtime.js";

/** The outcome a terminal record stands for, or undefined while the workflow is not finished. */
export function outcomeOf(runtime: Runtime, record: WorkflowRecord): RunOutcome | undefined {
  const id = record.workflowID;
  const format = record.serialization;
  switch (record.status) {
    case "SUCCESS":
      return {
        kind: "success",
        value: decodeValue(record.output ?? null, format, runtime.config.serializer, `output of workflow ${id}`),
      };
    case "ERROR":
      return {
        kind: "error",
        error: decodeError(record.error ?? null, format, runtime.config.serializer, `error of workflow ${id}`),
      };
    case "CANCELLED":
      return {
        kind: "error",
        error: new DurablyError("WORKFLOW_CANCELLED", `Workflow ${id} was cancelled.`, { workflowID: id }),
      };
    case "MAX_RECOVERY_ATTEMPTS_EXCEEDED":
      return {
        kind: "error",
        error: new DurablyError(
          "DEAD_LETTER",
          `Workflow ${id} was moved to the dead-letter queue after too many recovery attempts ` +
            `(${record.recoveryAttempts}). Fix the cause, then resumeWorkflow it.`,
          { workflowID: id },
        ),
      };
    default:
      return undefined;
  }
}

export interface AwaitOptions {
  /** Give up after this long with a TIMEOUT error. Default: wait until the workflow finishes. */
  readonly timeoutMs?: number | undefined;
  /** Read the database even while a run of this workflow is active here (that run is the caller). */
  readonly fromDatabaseOnly?: boolean;
}

/**
 * Waits for a workflow's outcome: from the run in this process when there is one (no polling),
 * else by reading its row with a backoff from 10 ms to resultPollIntervalMs (each read retried through
 * transient database errors), woken at once by the running process's answer (result-wake.ts). Stops with LIFECYCLE at shutdown.
 */
export async function awaitOutcome(
  runtime: Runtime,
  workflowID: string,
  options: AwaitOptions = {},
): Promise<RunOutcome> {
  const deadline = options.timeoutMs === undefined ? Infinity : runtime.now() + options.timeoutMs;
  // Set after the first read that finds it unfinished: another process's answer cuts the wait short.
  let wake: ResultWaiter | undefined;
  try {
    for (let delay = 10; ; delay = Math.min(delay * 2, runtime.config.resultPollIntervalMs)) {
      const local = options.fromDatabaseOnly ? undefined : runtime.active.get(workflowID);
      if (local !== undefined) return raceDeadline(runtime, workflowID, local.outcome, deadline, options.timeoutMs);
      // An answer that arrives during the read below still counts: the read may have been too early.
      let mark = wake?.mark() ?? 0;
      const record = await withDatabaseRetry("read a workflow's status", () => getWorkflow(runtime.sysdb, workflowID), {
        logger: runtime.logger,
        signal: runtime.shutdownSignal,
      });
      if (record !== undefined && terminalStatuses.includes(record.status)) return outcomeOf(runtime, record)!;
      const remaining = deadline - runtime.now();
      if (remaining <= 0) throw timeout(workflowID, options.timeoutMs!);
      if (wake === undefined) {
        wake = resultWakeOf(runtime)?.wait(workflowID);
        mark = 0;
      }
      await wakeOrDelay(Math.min(delay, remaining), runtime.shutdownSignal, wake, mark);
    }
  } finally {
    wake?.close();
  }
}

/** Waits `ms`, or less when `wake` has an answer after `mark`; rejects at shutdown. */
async function wakeOrDelay(ms: number, shutdown: AbortSignal, wake: ResultWaiter | undefined, mark: number) {
  if (wake === undefined) return abortableDelay(ms, shutdown);
  const timer = new AbortController();
  try {
    await Promise.race([abortableDelay(ms, AbortSignal.any([shutdown, timer.signal])), wake.next(mark)]);
  } finally {
    timer.abort();
  }
}

async function raceDeadline(
  runtime: Runtime,
  workflowID: string,
  outcome: Promise<RunOutcome>,
  deadline: number,
  timeoutMs: number | undefined,
): Promise<RunOutcome> {
  if (timeoutMs === undefined) return outcome;
  const timer = new AbortController();
  try {
    return await Promise.race([
      outcome,
      abortableDelay(deadline - runtime.now(), timer.signal).then(
        () => Promise.reject(timeout(workflowID, timeoutMs)),
        () => new Promise<never>(() => undefined), // the timer was cleared: the outcome won
      ),
    ]);
  } finally {
    timer.abort();
  }
}

function timeout(workflowID: string, timeoutMs: number): DurablyError {
  return new DurablyError(
    "TIMEOUT",
    `Workflow ${workflowID} did not finish within the ${timeoutMs} ms waited; it keeps running. Call ` +
      `getResult again to wait more.`,
    {
      workflowID,
    },
  );
}
