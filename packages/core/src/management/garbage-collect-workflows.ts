// garbageCollectWorkflows: retention for the system database (DBOS keeps this in its paid tier).
import { checkOptions, DurablyError, isStatementCancelled, maxInt4, type OptionRules } from "@durably/sysdb";
import { deleteFinishedWorkflows, nthNewestCreatedAt, type RetentionBound } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { checkContext } from "../check-context.js";

export interface GarbageCollectOptions {
  /** Delete workflows that finished longer ago than this. */
  readonly olderThanMs?: number;
  /**
   * Keep (at least) the newest this many workflows, of any status; delete the finished ones created before them.
   * With `olderThanMs` too, a finished workflow goes when either bound says so. One of the two is required.
   */
  readonly keepNewest?: number;
  /**
   * Workflows deleted per statement. Default 1 000. A batch cancelled by `statement_timeout` is retried with half as
   * many (down to 1).
   */
  readonly batchSize?: number;
}

/** What each option must be: whole milliseconds (the cutoff is compared with a bigint column). */
export const garbageCollectRules: OptionRules = {
  olderThanMs: { type: "number", integer: true, min: 0 },
  keepNewest: { type: "number", integer: true, min: 1, max: maxInt4 },
  batchSize: { type: "number", integer: true, min: 1, max: maxInt4 },
};

/** Throws INVALID_ARGUMENT unless a retention bound is given. */
export function requireRetentionBound(what: string, options: GarbageCollectOptions): void {
  if (options.olderThanMs === undefined && options.keepNewest === undefined) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `${what}: give olderThanMs (delete workflows finished longer ago), keepNewest (keep the newest N), or both.`,
    );
  }
}

/**
 * Deletes this application's finished workflows (SUCCESS, ERROR, CANCELLED, dead-lettered) older
 * than `olderThanMs` or past the newest `keepNewest`, with their inputs, outputs, steps, messages,
 * events and streams, in batches so that no lock is held for long. Running and queued workflows
 * are never touched. Returns how many workflows were deleted.
 *
 * @example
 * await garbageCollectWorkflows(dbos, { olderThanMs: 30 * 24 * 60 * 60 * 1000, keepNewest: 1_000_000 });
 */
export async function garbageCollectWorkflows(ctx: DBOSContext, options: GarbageCollectOptions): Promise<number> {
  checkContext("garbageCollectWorkflows", ctx);
  checkOptions("garbageCollectWorkflows", options, garbageCollectRules);
  requireRetentionBound("garbageCollectWorkflows", options);
  const runtime = ctx.runtime;
  runtime.assertRunning("garbage-collect workflows");
  const { olderThanMs, keepNewest } = options;
  const scope = runtime.applicationScope;
  const createdBefore =
    keepNewest === undefined ? undefined : await nthNewestCreatedAt(runtime.sysdb, keepNewest, scope);
  if (olderThanMs === undefined && createdBefore === undefined) return 0; // fewer than keepNewest workflows
  // One pass per bound, each walking its own index oldest first (see RetentionBound).
  const bounds: RetentionBound[] = [
    ...(olderThanMs === undefined ? [] : [{ by: "finishedAt" as const, before: runtime.now() - olderThanMs }]),
    ...(createdBefore === undefined ? [] : [{ by: "createdAt" as const, before: createdBefore }]),
  ];
  let batchSize = options.batchSize ?? 1_000;
  let total = 0;
  for (const bound of bounds) {
    for (;;) {
      let deleted: number;
      try {
        deleted = await deleteFinishedWorkflows(runtime.sysdb, bound, batchSize, scope);
      } catch (error) {
        // statement_timeout cancelled the batch (nothing of it is deleted): a smaller one may fit.
        if (!isStatementCancelled(error) || batchSize === 1) throw error;
        batchSize = Math.max(1, Math.floor(batchSize / 2));
        runtime.logger.warn("a garbage-collection batch hit statement_timeout; retrying smaller", { batchSize });
        continue;
      }
      total += deleted;
      if (runtime.shutdownSignal.aborted) return total;
      if (deleted < batchSize) break;
    }
  }
  return total;
}
