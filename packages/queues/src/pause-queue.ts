// pauseQueue / resumeQueue: stop and restart dequeuing a queue on every durably worker, for an
// incident or a maintenance window. Running workflows finish; enqueues are still accepted.
import { checkOptions, DurablyError } from "@durably/sysdb";
import {
  deleteQueuePause,
  getQueueRecord,
  insertQueuePause,
  queuePausesChannel,
  sendNotifications,
} from "@durably/sysdb/queries";
import type { DBOSContext } from "@durably/core";
import { extensionHost } from "@durably/core/extension";
import { queuesState } from "./queues-state.js";

export interface PauseQueueOptions {
  /** Why the queue is paused, shown by listQueues and `durably queue list`. Default: none. */
  readonly reason?: string;
}

/**
 * Pauses a queue: from now on no durably worker dequeues from it (each learns it by NOTIFY at once, or at its
 * next poll if that was missed), until resumeQueue. Workflows it already runs go on to their end, and enqueues
 * are accepted and wait. Stored in the system database, so it holds for every process and across restarts.
 * Returns false if the queue was paused already (the first pause and its reason stay).
 *
 * @example
 * await pauseQueue(client, "emails", { reason: "provider outage, INC-123" });
 * // … later
 * await resumeQueue(client, "emails");
 */
export async function pauseQueue(ctx: DBOSContext, name: string, options: PauseQueueOptions = {}): Promise<boolean> {
  checkOptions("pauseQueue", options, { reason: { type: "string" } });
  const host = await existingQueue(ctx, name, "pause");
  const paused = await insertQueuePause(host.sysdb, name, options.reason ?? null);
  await announce(ctx, name);
  return paused;
}

/**
 * Resumes a paused queue: workers dequeue from it again at once. Returns false if it was not paused.
 *
 * @example
 * await resumeQueue(dbos, "emails");
 */
export async function resumeQueue(ctx: DBOSContext, name: string): Promise<boolean> {
  const host = await existingQueue(ctx, name, "resume");
  const resumed = await deleteQueuePause(host.sysdb, name);
  await announce(ctx, name);
  return resumed;
}

async function existingQueue(ctx: DBOSContext, name: unknown, verb: string) {
  if (typeof name !== "string" || name === "")
    throw new DurablyError("INVALID_ARGUMENT", `${verb}Queue needs a queue name (a non-empty string).`);
  const host = extensionHost(ctx);
  host.assertRunning(`${verb} a queue`);
  // A typo must not pause nothing silently.
  if ((await getQueueRecord(host.sysdb, name)) === undefined) {
    throw new DurablyError(
      "QUEUE_NOT_FOUND",
      `There is no queue named ${name} to ${verb} (no row in dbos.queues). Check the name with listQueues or ` +
        "`durably queue list`.",
    );
  }
  return host;
}

/** Tells every worker (NOTIFY) and this process's own queues to re-read the pauses now. */
async function announce(ctx: DBOSContext, name: string): Promise<void> {
  const host = extensionHost(ctx);
  await sendNotifications(host.sysdb, queuePausesChannel, [name]);
  if (!host.isClient) await queuesState(ctx).refreshPauses();
}
