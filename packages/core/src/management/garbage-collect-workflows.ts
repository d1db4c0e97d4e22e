// garbageCollectWorkflows: retention for the system database (DBOS keeps this in its paid tier).
import { deleteFinishedWorkflows, DurablyError } from "@durably/sysdb";
import type { DBOSContext } from "../dbos-context.js";

export interface GarbageCollectOptions {
  /** Delete workflows that finished longer ago than this. */
  readonly olderThanMs: number;
  /** Workflows deleted per statement. Default 1 000. */
  readonly batchSize?: number;
}

/**
 * Deletes this application's finished workflows (SUCCESS, ERROR, CANCELLED, dead-lettered) older
 * than `olderThanMs`, with their inputs, outputs, steps, messages, events and streams, in
 * batches so that no lock is held for long. Running and queued workflows are never touched.
 * Returns how many workflows were deleted.
 *
 * @example
 * await garbageCollectWorkflows(dbos, { olderThanMs: 30 * 24 * 60 * 60 * 1000 });
 */
export async function garbageCollectWorkflows(ctx: DBOSContext, options: GarbageCollectOptions): Promise<number> {
  const runtime = ctx.runtime;
  runtime.assertRunning("garbage-collect workflows");
  const { olderThanMs } = options ?? {};
  const batchSize = options?.batchSize ?? 1_000;
  if (typeof olderThanMs !== "number" || !Number.isFinite(olderThanMs) || olderThanMs < 0) {
    throw new DurablyError("INVALID_ARGUMENT", `olderThanMs must be a number of milliseconds >= 0, got ${String(olderThanMs)}.`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new DurablyError("INVALID_ARGUMENT", "batchSize must be a positive integer.");
  const cutoff = runtime.now() - olderThanMs;
  let total = 0;
  for (;;) {
    const deleted = await deleteFinishedWorkflows(runtime.sysdb, cutoff, batchSize, runtime.applicationScope);
    total += deleted;
    if (deleted < batchSize || runtime.shutdownSignal.aborted) return total;
  }
}
