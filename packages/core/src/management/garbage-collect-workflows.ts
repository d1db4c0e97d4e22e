// garbageCollectWorkflows: retention for the system database (DBOS keeps this in its paid tier).
import { checkOptions, maxInt4, type OptionRules } from "@durably/sysdb";
import { deleteFinishedWorkflows } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";

export interface GarbageCollectOptions {
  /** Delete workflows that finished longer ago than this. */
  readonly olderThanMs: number;
  /** Workflows deleted per statement. Default 1 000. */
  readonly batchSize?: number;
}

/** What each option must be: whole milliseconds (the cutoff is compared with a bigint column). */
export const garbageCollectRules: OptionRules = {
  olderThanMs: { type: "number", required: true, integer: true, min: 0 },
  batchSize: { type: "number", integer: true, min: 1, max: maxInt4 },
};

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
  checkOptions("garbageCollectWorkflows", options, garbageCollectRules);
  const runtime = ctx.runtime;
  runtime.assertRunning("garbage-collect workflows");
  const { olderThanMs } = options;
  const batchSize = options.batchSize ?? 1_000;
  const cutoff = runtime.now() - olderThanMs;
  let total = 0;
  for (;;) {
    const deleted = await deleteFinishedWorkflows(runtime.sysdb, cutoff, batchSize, runtime.applicationScope);
    total += deleted;
    if (deleted < batchSize || runtime.shutdownSignal.aborted) return total;
  }
}
