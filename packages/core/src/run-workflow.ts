// runWorkflow: start a workflow (or a child of the current one), idempotent on its workflow ID.
import { randomUUID } from "node:crypto";
import { checkOptions, classifyError, DurablyError, maxInt4, type OptionRules } from "@durably/sysdb";
import { enqueuedChannel, findByDeduplicationID, insertWorkflow, newOwnerToken } from "@durably/sysdb/queries";
import { checkContext } from "./check-context.js";
import type { DBOSContext } from "./dbos-context.js";
import { withDatabaseRetry } from "./database-retry.js";
import { debounceRules, enqueueDebounced, type DebounceOptions } from "./enqueue-debounced.js";
import { executeWorkflow } from "./execute-workflow.js";
import { encodeWorkflowInput } from "./serialization/index.js";
import { assertSameStep } from "./step-checkpoint.js";
import { assertNotInsideStep } from "./step-scope.js";
import type { Workflow } from "./workflow.js";
import { createWorkflowHandle, type WorkflowHandle } from "./workflow-handle.js";

export interface RunWorkflowOptions {
  /**
   * The idempotency key: starting an existing ID returns a handle to that run. Default: a random UUID, or
   * `<parentID>-<stepID>` for a child.
   */
  readonly workflowID?: string;
  /**
   * Cancel the workflow if it has not finished this long after it starts (for a queued one: after it is dequeued).
   * Children inherit the parent's deadline.
   */
  readonly timeoutMs?: number;
  /** Enqueue on this queue instead of running now: a queue from `@durably/queues`' registerQueue, or its name. */
  readonly queue?: string | { readonly name: string };
  /** With a queue: at most one workflow with this ID is enqueued or running on the queue at a time. */
  readonly deduplicationID?: string;
  /**
   * What a duplicate enqueue does: `"reject"` (default) throws QUEUE_DEDUPLICATED; `"return-existing"` returns the
   * holder's handle.
   */
  readonly deduplicationPolicy?: "reject" | "return-existing";
  /** With a queue: lower numbers run first (default 0), FIFO within a priority. */
  readonly priority?: number;
  /** With a partitioned queue: the partition whose limits apply. */
  readonly partitionKey?: string;
  /** With a queue: become runnable only after this many milliseconds. */
  readonly delayMs?: number;
  /**
   * With a queue: only executors of this application version run it. Default: this executor's (a client's: any latest
   * executor).
   */
  readonly applicationVersion?: string;
  /**
   * With a queue: debounce. Enqueues of this workflow with the same `key` on the queue, each within `periodMs`
   * of the last, collapse into one run that starts `periodMs` after the last (or `maxWaitMs` after the first),
   * with the latest input; the handle is that run's. Not with deduplicationID, delayMs, priority or
   * partitionKey, and not from inside a workflow. Default: no debounce.
   */
  readonly debounce?: DebounceOptions;
}

/**
 * Starts `workflow` on `input` and returns its handle at once. Called with a workflow's context,
 * it starts a child workflow, recorded as the parent's next step.
 *
 * @example
 * const handle = await runWorkflow(dbos, checkoutWorkflow, "order-42", { workflowID: "order-42" });
 * console.log(await handle.getResult());
 */
export async function runWorkflow<Input, Output>(
  ctx: DBOSContext,
  workflow: Workflow<Input, Output>,
  input: Input,
  options: RunWorkflowOptions = {},
): Promise<WorkflowHandle<Output>> {
  checkContext("runWorkflow", ctx);
  const runtime = ctx.runtime;
  const parent = ctx.run;
  assertNotInsideStep(ctx, `runWorkflow (${String(workflow?.name)})`);
  if (workflow?.registry !== runtime.registryBrand) {
    throw new DurablyError(
      "WORKFLOW_NOT_REGISTERED",
      `Workflow ${workflow?.name ?? String(workflow)} was not registered on this context. Pass the value ` +
        `registerWorkflow returned.`,
    );
  }
  // Reserved before any await, so sibling children get deterministic step IDs.
  const stepID = parent?.nextStepID();
  // Options first: a misspelled key is the caller's mistake whatever the context's state.
  validateOptions(options);
  runtime.assertRunning(`start workflow ${workflow.name}`);
  if (options.debounce !== undefined && parent !== undefined) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `runWorkflow: debounce is for enqueues from outside a workflow (application code, a client); workflow ` +
        `${parent.workflowID} would record the burst as its step. Enqueue ${workflow.name} without debounce here.`,
      { workflowID: parent.workflowID, details: { option: "debounce" } },
    );
  }
  if (runtime.isClient && options.queue === undefined) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `A client runs no workflow code: enqueue ${workflow.name} on a queue (enqueueWorkflow) for a worker to run.`,
    );
  }

  if (parent !== undefined && stepID !== undefined) {
    const recorded = parent.checkpoints.get(stepID);
    if (recorded !== undefined) {
      assertSameStep(parent, recorded, workflow.name);
      return createWorkflowHandle(ctx, recorded.childWorkflowID ?? `${parent.workflowID}-${stepID}`);
    }
    parent.throwIfStopped();
  }
  // A UUID, as DBOS makes them: its tools and clients show, accept and expect workflow IDs in that form.
  const workflowID = options.workflowID ?? (parent === undefined ? randomUUID() : `${parent.workflowID}-${stepID}`);
  const local = runtime.active.get(workflowID);
  if (local !== undefined) {
    if (local.run.name !== workflow.name) throw conflict(workflowID, local.run.name, workflow.name);
    return createWorkflowHandle(ctx, workflowID);
  }

  const format = runtime.config.serializer;
  // Fails with SERIALIZATION or PAYLOAD_TOO_LARGE before anything is written.
  const inputs = encodeWorkflowInput(
    input,
    format,
    `input of workflow ${workflow.name}`,
    runtime.config.maxPayloadBytes,
  );
  const now = runtime.now();
  const queueName =
    options.queue === undefined ? null : typeof options.queue === "string" ? options.queue : options.queue.name;
  if (options.debounce !== undefined && queueName !== null) {
    return enqueueDebounced(ctx, workflow, {
      workflowID,
      queueName,
      debounce: options.debounce,
      serialization: format,
      inputs,
      timeoutMs: options.timeoutMs ?? null,
      applicationVersion: options.applicationVersion ?? runtime.enqueueVersion,
    });
  }
  const delayMs = options.delayMs ?? 0;
  const status = queueName === null ? "PENDING" : delayMs > 0 ? "DELAYED" : "ENQUEUED";
  // A queued workflow's own timeout starts at dequeue; only an inherited deadline is fixed now.
  const ownDeadline = options.timeoutMs === undefined || queueName !== null ? null : now + options.timeoutMs;
  const deadlineEpochMs = minDeadline(ownDeadline, parent?.deadlineEpochMs ?? null);
  // This run's owner token names this process's lease (a queued row gets its owner when claimed).
  const ownerXid = status === "PENDING" ? runtime.ownerToken() : newOwnerToken();
  const applicationVersion =
    queueName === null ? runtime.applicationVersion : (options.applicationVersion ?? runtime.enqueueVersion);
  const observed = runtime.instrumentation?.workflowStart?.({
    workflowID,
    workflowName: workflow.name,
    queueName,
    parent: parent?.observer,
    parentStepID: stepID,
    applicationVersion,
  });
  let existing: Awaited<ReturnType<typeof insertWorkflow>>;
  try {
    existing = await withDatabaseRetry(
      "start a workflow",
      () =>
        insertWorkflow(runtime.sysdb, {
          workflowID,
          status,
          name: workflow.name,
          queueName,
          executorID: queueName === null ? runtime.config.executorId : null,
          applicationVersion,
          applicationName: runtime.applicationScope ?? null,
          applicationID: process.env.DBOS__APPID ?? null,
          timeoutMs: options.timeoutMs ?? null,
          deadlineEpochMs,
          ownerXid,
          parentWorkflowID: parent?.workflowID ?? null,
          serialization: format,
          inputs,
          priority: options.priority ?? 0,
          deduplicationID: options.deduplicationID ?? null,
          queuePartitionKey: options.partitionKey ?? null,
          delayUntilEpochMs: status === "DELAYED" ? now + delayMs : null,
          now,
          parentStep: stepID === undefined ? undefined : { stepID },
          traceContext: observed?.traceContext,
        }),
      { logger: runtime.logger },
    );
  } catch (error) {
    observed?.end(false, error);
    if (classifyError(error) !== "unique_violation" || queueName === null || options.deduplicationID === undefined)
      throw error;
    // The only unique index an insert can hit is the queue's deduplication index.
    const holder = await findByDeduplicationID(runtime.sysdb, queueName, options.deduplicationID);
    if (options.deduplicationPolicy === "return-existing" && holder !== undefined)
      return createWorkflowHandle(ctx, holder);
    throw new DurablyError(
      "QUEUE_DEDUPLICATED",
      `Queue ${queueName} already has workflow ${holder ?? "(just finished)"} with deduplication ` +
        `ID ${options.deduplicationID}; it was not enqueued again. ` +
        'Wait for it to finish, or pass deduplicationPolicy: "return-existing" to get its handle.',
      { workflowID, cause: error },
    );
  }
  observed?.end(existing === null || existing.ownerXid === ownerXid);
  if (queueName !== null) {
    if (existing === null || existing.ownerXid === ownerXid) {
      if (status === "ENQUEUED") runtime.notifier.notify(enqueuedChannel, queueName);
    } else if (existing.name !== workflow.name) {
      throw conflict(workflowID, existing.name, workflow.name);
    }
    return createWorkflowHandle(ctx, workflowID);
  }
  if (existing === null || existing.ownerXid === ownerXid) {
    // New (or our own insert, retried after a lost reply): run it here.
    const traceContext = observed?.traceContext;
    executeWorkflow(runtime, workflow, { workflowID, ownerXid, format, deadlineEpochMs, traceContext }, input);
  } else if (existing.name !== workflow.name) {
    throw conflict(workflowID, existing.name, workflow.name);
  }
  return createWorkflowHandle(ctx, workflowID);
}

/** What each option must be; the milliseconds are whole, as they land in bigint columns. */
export const runWorkflowRules: OptionRules = {
  workflowID: { type: "string", nonEmpty: true },
  timeoutMs: { type: "number", integer: true, above: 0 },
  queue: { type: "name-or-named" },
  deduplicationID: { type: "string", nonEmpty: true },
  deduplicationPolicy: { type: "string", enum: ["reject", "return-existing"] },
  priority: { type: "number", integer: true, min: 0, max: maxInt4 },
  partitionKey: { type: "string", nonEmpty: true },
  delayMs: { type: "number", integer: true, min: 0 },
  applicationVersion: { type: "string", nonEmpty: true },
  debounce: { type: "object", keys: debounceRules },
};

function validateOptions(options: RunWorkflowOptions): void {
  checkOptions("runWorkflow", options, runWorkflowRules);
  const queued = options.queue !== undefined;
  for (const key of [
    "deduplicationID",
    "deduplicationPolicy",
    "priority",
    "partitionKey",
    "delayMs",
    "applicationVersion",
    "debounce",
  ] as const) {
    if (options[key] !== undefined && !queued) {
      throw new DurablyError(
        "INVALID_ARGUMENT",
        `${key} only applies to a workflow enqueued on a queue: pass { queue } too.`,
      );
    }
  }
  if (options.debounce !== undefined) {
    // The debounce owns the deduplication ID (its key) and the delay (its period), as in DBOS.
    for (const key of ["deduplicationID", "deduplicationPolicy", "delayMs", "priority", "partitionKey"] as const) {
      if (options[key] !== undefined) {
        throw new DurablyError(
          "INVALID_ARGUMENT",
          `runWorkflow: ${key} cannot be combined with debounce (the debounce key and period take its place).`,
          { details: { option: key } },
        );
      }
    }
  }
  if (options.deduplicationPolicy === "return-existing" && options.deduplicationID === undefined) {
    throw new DurablyError("INVALID_ARGUMENT", 'deduplicationPolicy "return-existing" needs a deduplicationID.');
  }
}

function minDeadline(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function conflict(workflowID: string, existingName: string | null, newName: string): DurablyError {
  return new DurablyError(
    "WORKFLOW_CONFLICT",
    `Workflow ID ${workflowID} is already used by workflow "${existingName}", so it cannot start ` +
      `"${newName}". Use another workflow ID.`,
    { workflowID },
  );
}
