// The slots of this process's queue workers, for an observer: the add-on that runs queues sets a
// source; an observer (such as @durably/otel) reads it when it samples. Nothing is counted or
// called on the workflow path: unread, a source costs nothing.
import { checkContext } from "./check-context.js";
import type { DBOSContext } from "./dbos-context.js";
import { extensionHost } from "./extension-host.js";

/** One queue as this process serves it. */
export interface QueueSlots {
  readonly queueName: string;
  /** The queue's worker concurrency (slots per process); null when it sets none (unbounded). */
  readonly workerConcurrency: number | null;
  /** How many of the queue's workflows run in this process now. */
  readonly busy: number;
}

/** Reports the slots of each queue this process serves, at the time it is called. */
export type WorkerSlotsSource = () => readonly QueueSlots[];

/** Identifies the source in each context's extension state. */
const sourceKey = {};

/**
 * Sets the source of `ctx`'s worker slots (undefined removes it); @durably/queues sets it.
 *
 * @example
 * setWorkerSlotsSource(dbos, () => [{ queueName: "emails", workerConcurrency: 4, busy: 1 }]);
 */
export function setWorkerSlotsSource(ctx: DBOSContext, source: WorkerSlotsSource | undefined): void {
  checkContext("setWorkerSlotsSource", ctx);
  const holder = extensionHost(ctx).extensionState(sourceKey, () => ({ source }));
  holder.source = source;
}

/**
 * The slots of each queue `ctx` serves now; empty when no queue add-on runs here.
 *
 * @example
 * for (const q of readWorkerSlots(dbos)) console.log(q.queueName, q.busy, q.workerConcurrency);
 */
export function readWorkerSlots(ctx: DBOSContext): readonly QueueSlots[] {
  const holder = extensionHost(ctx).extensionState<{ source: WorkerSlotsSource | undefined }>(sourceKey);
  return holder?.source?.() ?? [];
}
