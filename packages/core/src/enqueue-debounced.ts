// Debounced enqueues: every enqueue of a burst (same workflow, queue and key) lands on one DELAYED
// row, which starts once the enqueues stop for the period (or the burst's maxWaitMs passes), with
// the latest input. Stored as DBOS 5.3.0's Debouncer stores it, so its clients see the same burst.
import { classifyError, DurablyError } from "@durably/sysdb";
import {
  bounceDebouncedWorkflow,
  debounceDeduplicationID,
  findByDeduplicationID,
  getQueueRecord,
  insertWorkflow,
  newOwnerToken,
} from "@durably/sysdb/queries";
import type { DBOSContext } from "./dbos-context.js";
import { withDatabaseRetry } from "./database-retry.js";
import type { Workflow } from "./workflow.js";
import { createWorkflowHandle, type WorkflowHandle } from "./workflow-handle.js";

export interface DebounceOptions {
  /** Enqueues of the same workflow on the same queue with this key, each within `periodMs` of the last, are one run. */
  readonly key: string;
  /** The quiet time: the run starts this many ms after the burst's latest enqueue. Whole, above 0. */
  readonly periodMs: number;
  /** The run starts at the latest this many ms after the burst's first enqueue, however long it goes on. Default: no limit. */
  readonly maxWaitMs?: number;
}

/** What each debounce option must be, for checkOptions. */
export const debounceRules = {
  key: { type: "string", required: true, nonEmpty: true },
  periodMs: { type: "number", required: true, integer: true, above: 0 },
  maxWaitMs: { type: "number", integer: true, above: 0 },
} as const;

/** A burst's key taken by something else for longer than these rounds is reported, not waited on forever. */
const maxRounds = 10;

export interface DebouncedEnqueue {
  readonly workflowID: string;
  readonly queueName: string;
  readonly debounce: DebounceOptions;
  readonly serialization: string;
  readonly inputs: string;
  readonly timeoutMs: number | null;
  readonly applicationVersion: string | null;
}

/**
 * Extends the waiting burst of `e.debounce.key` with `e`'s input, or starts a burst (a DELAYED
 * workflow with ID `e.workflowID`) when none waits. Each is one statement; two processes that both
 * find no burst race on the queue's deduplication index, and the loser extends the winner's.
 */
export async function enqueueDebounced<Input, Output>(
  ctx: DBOSContext,
  workflow: Workflow<Input, Output>,
  e: DebouncedEnqueue,
): Promise<WorkflowHandle<Output>> {
  const runtime = ctx.runtime;
  const { key, periodMs, maxWaitMs } = e.debounce;
  const retry = { logger: runtime.logger };
  const queue = await withDatabaseRetry("read a queue", () => getQueueRecord(runtime.sysdb, e.queueName), retry);
  if (queue === undefined) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `runWorkflow: debounce.key ${JSON.stringify(key)} names queue ${e.queueName}, which does not exist (no row in ` +
        "dbos.queues): register it with registerQueue first, or pass the queue registerQueue returned.",
      { details: { option: "queue" } },
    );
  }
  const deduplicationID = debounceDeduplicationID(workflow.name, key);
  const applicationName = runtime.applicationScope ?? null;
  for (let round = 0; round < maxRounds; round++) {
    const now = runtime.now();
    const bounced = await withDatabaseRetry(
      "debounce a workflow",
      () =>
        bounceDebouncedWorkflow(runtime.sysdb, {
          name: workflow.name,
          queueName: e.queueName,
          deduplicationID,
          delayUntilEpochMs: now + periodMs,
          serialization: e.serialization,
          inputs: e.inputs,
          applicationName,
          now,
        }),
      retry,
    );
    if (bounced !== undefined) return createWorkflowHandle(ctx, bounced);
    const ownerXid = newOwnerToken();
    // The burst's trace is that of the enqueue that starts it (the one whose ID it keeps); later
    // enqueues only move its time and input, with the bounce's single UPDATE.
    const observed = runtime.instrumentation?.workflowStart?.({
      workflowID: e.workflowID,
      workflowName: workflow.name,
      queueName: e.queueName,
      parent: undefined,
      parentStepID: undefined,
      applicationVersion: e.applicationVersion,
    });
    try {
      const existing = await withDatabaseRetry(
        "start a workflow",
        () =>
          insertWorkflow(runtime.sysdb, {
            workflowID: e.workflowID,
            status: "DELAYED",
            name: workflow.name,
            queueName: e.queueName,
            executorID: null,
            applicationVersion: e.applicationVersion,
            applicationName,
            applicationID: process.env.DBOS__APPID ?? null,
            timeoutMs: e.timeoutMs,
            deadlineEpochMs: null,
            ownerXid,
            parentWorkflowID: null,
            serialization: e.serialization,
            inputs: e.inputs,
            priority: 0,
            deduplicationID,
            queuePartitionKey: null,
            delayUntilEpochMs: now + Math.min(periodMs, maxWaitMs ?? periodMs),
            isDebounced: true,
            debounceDeadlineEpochMs: maxWaitMs === undefined ? null : now + maxWaitMs,
            now,
            traceContext: observed?.traceContext,
          }),
        retry,
      );
      observed?.end(existing === null || existing.ownerXid === ownerXid);
      if (existing !== null && existing.ownerXid !== ownerXid && existing.name !== workflow.name) {
        throw new DurablyError(
          "WORKFLOW_CONFLICT",
          `Workflow ID ${e.workflowID} is already used by workflow "${existing.name}", so it cannot start ` +
            `"${workflow.name}". Use another workflow ID.`,
          { workflowID: e.workflowID },
        );
      }
      return createWorkflowHandle(ctx, e.workflowID);
    } catch (error) {
      observed?.end(false, error);
      // Another enqueue started the burst between our two statements: extend it instead.
      if (classifyError(error) !== "unique_violation") throw error;
    }
  }
  const holder = await findByDeduplicationID(runtime.sysdb, e.queueName, deduplicationID);
  throw new DurablyError(
    "QUEUE_DEDUPLICATED",
    `Queue ${e.queueName} holds workflow ${holder ?? "(unknown)"} under debounce key ${deduplicationID}, and it is ` +
      "not a waiting burst of this workflow and application; nothing was enqueued.",
    { workflowID: e.workflowID },
  );
}
