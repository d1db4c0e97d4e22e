// enqueueMany: put many workflows on queues with one statement, from a worker's context or a
// client, each with its own options, and a result per item (its handle, or why it was not enqueued).
import { randomUUID } from "node:crypto";
import { checkOptions, DurablyError, isDurablyError } from "@durably/sysdb";
import {
  enqueuedChannel,
  explainSkippedEnqueues,
  insertQueuedWorkflows,
  newOwnerToken,
  partitionKeyMismatch,
  type NewQueuedWorkflow,
} from "@durably/sysdb/queries";
import { withDatabaseRetry } from "./database-retry.js";
import { checkContext } from "./check-context.js";
import type { DBOSContext } from "./dbos-context.js";
import type { EnqueueOptions, InputOf, OutputOf } from "./enqueue-workflow.js";
import { runWorkflowRules } from "./run-workflow.js";
import { encodeWorkflowInput } from "./serialization/index.js";
import { assertNotInsideStep } from "./step-scope.js";
import type { AnyWorkflow, Workflow } from "./workflow.js";
import { createWorkflowHandle, type WorkflowHandle } from "./workflow-handle.js";

/** One workflow of an {@link enqueueMany} call. */
export interface EnqueueManyItem<W extends AnyWorkflow = Workflow<unknown, unknown>> {
  /** The workflow, or its registered name (from a client). */
  readonly workflow: W | string;
  readonly input: InputOf<W>;
  /** As enqueueWorkflow's: `queue` is required; every other option applies to this item alone. No `debounce`. */
  readonly options: EnqueueOptions;
}

/** What became of one item, at its index: its handle, or the typed error that kept it off the queue. */
export type EnqueueManyResult<Output = unknown> =
  | { readonly ok: true; readonly workflowID: string; readonly handle: WorkflowHandle<Output> }
  | { readonly ok: false; readonly workflowID: string | undefined; readonly error: DurablyError };

/** The most items one call takes: its statement carries them all in one parameter. */
export const maxEnqueueManyItems = 10_000;

/**
 * Enqueues `items` with one statement and returns one result per item, in order. Each item is
 * written whole (status and input rows) or not at all, and never fails another: an item with a bad
 * option or input, a held deduplication ID (unless `deduplicationPolicy: "return-existing"`), a
 * partition key that does not fit its queue, or a workflow ID already used by another workflow
 * gets `{ ok: false, error }` (INVALID_ARGUMENT, SERIALIZATION, QUEUE_DEDUPLICATED, WORKFLOW_CONFLICT)
 * and the rest are enqueued. An existing workflow ID of the same workflow gives that run's handle,
 * as enqueueWorkflow does. Only a failure of the whole call throws (not a context, not an array,
 * more than {@link maxEnqueueManyItems} items, called inside a workflow, the database unreachable),
 * and then nothing was written. Not from inside a workflow: a batch would not be one step.
 *
 * @example
 * const results = await enqueueMany(client, [
 *   { workflow: "checkout", input: "order-1", options: { queue: "orders", workflowID: "order-1" } },
 *   { workflow: "checkout", input: "order-2", options: { queue: "orders", priority: 1, delayMs: 5000 } },
 * ]);
 * for (const r of results) if (!r.ok) console.error(r.error.message);
 */
export async function enqueueMany<W extends AnyWorkflow = Workflow<unknown, unknown>>(
  ctx: DBOSContext,
  items: readonly EnqueueManyItem<W>[],
): Promise<EnqueueManyResult<OutputOf<W>>[]> {
  checkContext("enqueueMany", ctx);
  if (!Array.isArray(items))
    throw new DurablyError("INVALID_ARGUMENT", "enqueueMany takes an array of { workflow, input, options }.");
  if (items.length > maxEnqueueManyItems) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `enqueueMany takes at most ${maxEnqueueManyItems} items per call (got ${items.length}): split the array.`,
      { details: { option: "items", max: maxEnqueueManyItems } },
    );
  }
  assertNotInsideStep(ctx, "enqueueMany");
  if (ctx.run !== undefined) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `enqueueMany is for application code and clients; workflow ${ctx.run.workflowID} would not record the ` +
        "batch as one step. Enqueue each child with enqueueWorkflow there.",
      { workflowID: ctx.run.workflowID },
    );
  }
  const runtime = ctx.runtime;
  runtime.assertRunning("enqueueMany");
  const format = runtime.config.serializer;
  const now = runtime.now();
  const results: (EnqueueManyResult<OutputOf<W>> | undefined)[] = new Array(items.length);
  const prepared: { index: number; row: NewQueuedWorkflow; options: EnqueueOptions }[] = [];
  for (const [index, item] of items.entries()) {
    try {
      prepared.push({ index, row: prepare(item, index), options: item.options });
    } catch (error) {
      if (!isDurablyError(error)) throw error;
      results[index] = { ok: false, workflowID: item?.options?.workflowID, error };
    }
  }

  function prepare(item: EnqueueManyItem<W>, index: number): NewQueuedWorkflow {
    const where = `enqueueMany item ${index}`;
    if (item === null || typeof item !== "object")
      throw new DurablyError("INVALID_ARGUMENT", `${where} must be { workflow, input, options }.`);
    checkOptions(where, item, { workflow: { type: "any" }, input: { type: "any" }, options: { type: "object" } });
    const options = item.options;
    if (options?.queue === undefined)
      throw new DurablyError("INVALID_ARGUMENT", `${where} needs options.queue: the queue a worker serves.`);
    checkOptions(where, options, runWorkflowRules);
    if (options.debounce !== undefined) {
      throw new DurablyError(
        "INVALID_ARGUMENT",
        `${where}: debounce is not taken by enqueueMany; use enqueueWorkflow.`,
        {
          details: { option: "debounce" },
        },
      );
    }
    if (options.deduplicationPolicy === "return-existing" && options.deduplicationID === undefined)
      throw new DurablyError(
        "INVALID_ARGUMENT",
        `${where}: deduplicationPolicy "return-existing" needs a deduplicationID.`,
      );
    const name = typeof item.workflow === "string" ? item.workflow : item.workflow?.name;
    if (typeof name !== "string" || name === "")
      throw new DurablyError("INVALID_ARGUMENT", `${where} needs a workflow or a workflow name.`);
    const delayMs = options.delayMs ?? 0;
    return {
      workflowID: options.workflowID ?? randomUUID(),
      status: delayMs > 0 ? "DELAYED" : "ENQUEUED",
      name,
      queueName: typeof options.queue === "string" ? options.queue : options.queue.name,
      applicationVersion: options.applicationVersion ?? runtime.enqueueVersion,
      applicationName: runtime.applicationScope ?? null,
      applicationID: process.env.DBOS__APPID ?? null,
      timeoutMs: options.timeoutMs ?? null,
      ownerXid: newOwnerToken(),
      serialization: format,
      // Fails with SERIALIZATION for this item alone.
      inputs: encodeWorkflowInput(item.input, format, `input of workflow ${name} (${where})`),
      priority: options.priority ?? 0,
      deduplicationID: options.deduplicationID ?? null,
      queuePartitionKey: options.partitionKey ?? null,
      delayUntilEpochMs: delayMs > 0 ? now + delayMs : null,
      now,
    };
  }

  // A workflow ID given twice goes in once; the later items resolve against that row below.
  const first = new Set<(typeof prepared)[number]>();
  const ids = new Set<string>();
  for (const p of prepared) {
    if (ids.has(p.row.workflowID)) continue;
    ids.add(p.row.workflowID);
    first.add(p);
  }
  const batch = [...first].map((p) => p.row);
  const inserted = await withDatabaseRetry("enqueue workflows", () => insertQueuedWorkflows(runtime.sysdb, batch), {
    logger: runtime.logger,
  });
  const isNew = (p: (typeof prepared)[number]) => first.has(p) && inserted.has(p.row.workflowID);
  const skipped = prepared.filter((p) => !isNew(p)).map((p) => p.row);
  // Only when some item was skipped: the reads that say why.
  const why =
    skipped.length === 0
      ? undefined
      : await withDatabaseRetry("explain skipped enqueues", () => explainSkippedEnqueues(runtime.sysdb, skipped), {
          logger: runtime.logger,
        });
  const handle = (id: string) => createWorkflowHandle<OutputOf<W>>(ctx, id);
  const wake = new Set<string>();
  for (const p of prepared) {
    if (isNew(p)) {
      results[p.index] = { ok: true, workflowID: p.row.workflowID, handle: handle(p.row.workflowID) };
      if (p.row.status === "ENQUEUED") wake.add(p.row.queueName);
    } else {
      results[p.index] = resolveSkipped(p.row, p.options, why, handle);
    }
  }
  for (const queueName of wake) runtime.notifier.notify(enqueuedChannel, queueName);
  return results as EnqueueManyResult<OutputOf<W>>[];
}

/** The result of an item the statement did not insert, from what stopped it. */
function resolveSkipped<Output>(
  row: NewQueuedWorkflow,
  options: EnqueueOptions,
  why: Awaited<ReturnType<typeof explainSkippedEnqueues>> | undefined,
  handle: (id: string) => WorkflowHandle<Output>,
): EnqueueManyResult<Output> {
  const workflowID = row.workflowID;
  const fail = (error: DurablyError): EnqueueManyResult<Output> => ({ ok: false, workflowID, error });
  if (why?.existing.has(workflowID)) {
    const existingName = why.existing.get(workflowID) ?? null;
    if (existingName === row.name) return { ok: true, workflowID, handle: handle(workflowID) };
    return fail(
      new DurablyError(
        "WORKFLOW_CONFLICT",
        `Workflow ID ${workflowID} is already used by workflow "${existingName}", so it cannot start ` +
          `"${row.name}". Use another workflow ID.`,
        { workflowID },
      ),
    );
  }
  const partitioned = why?.partitioned.get(row.queueName);
  if (partitioned !== undefined && partitioned === (row.queuePartitionKey === null))
    return fail(partitionKeyMismatch(row.queueName, partitioned, workflowID));
  if (row.deduplicationID !== null) {
    const holder = why?.holders.get(`${row.queueName}\u0000${row.deduplicationID}`);
    if (options.deduplicationPolicy === "return-existing" && holder !== undefined)
      return { ok: true, workflowID: holder, handle: handle(holder) };
    return fail(
      new DurablyError(
        "QUEUE_DEDUPLICATED",
        `Queue ${row.queueName} already has workflow ${holder ?? "(just finished)"} with deduplication ` +
          `ID ${row.deduplicationID}; it was not enqueued again. ` +
          'Wait for it to finish, or pass deduplicationPolicy: "return-existing" to get its handle.',
        { workflowID },
      ),
    );
  }
  // Neither inserted nor there: deleted between the two statements. Never report it as enqueued.
  return fail(
    new DurablyError("CONCURRENT_DELETE", `Workflow ${workflowID} was neither enqueued nor found; enqueue it again.`, {
      workflowID,
    }),
  );
}
