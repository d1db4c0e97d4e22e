// collectGarbagePeriodically: retention as a background task of a worker.
import { checkOptions } from "@durably/sysdb";
import { BackgroundLoop } from "../background-loop.js";
import type { DBOSContext } from "../dbos-context.js";
import { registerExtension } from "../extension.js";
import {
  garbageCollectRules,
  garbageCollectWorkflows,
  requireRetentionBound,
  type GarbageCollectOptions,
} from "./garbage-collect-workflows.js";
import { checkContext } from "../check-context.js";

export interface PeriodicGarbageCollectOptions extends GarbageCollectOptions {
  /** Time between two collections. Default one hour. */
  readonly intervalMs?: number;
}

/**
 * From launch on, runs garbageCollectWorkflows every `intervalMs` (from any number of workers;
 * batches skip rows another one is deleting). Call before launch.
 *
 * @example
 * collectGarbagePeriodically(dbos, { olderThanMs: 30 * 24 * 3_600_000, keepNewest: 1_000_000 });
 */
export function collectGarbagePeriodically(ctx: DBOSContext, options: PeriodicGarbageCollectOptions): void {
  checkContext("collectGarbagePeriodically", ctx);
  checkOptions("collectGarbagePeriodically", options, {
    ...garbageCollectRules,
    intervalMs: { type: "number", above: 0 },
  });
  requireRetentionBound("collectGarbagePeriodically", options);
  const intervalMs = options.intervalMs ?? 3_600_000;
  const { intervalMs: _interval, ...collect } = options;
  const loop = new BackgroundLoop({
    logger: ctx.runtime.logger,
    failureMessage: "garbage collection failed; will retry next interval",
    intervalMs,
    round: async () => {
      const deleted = await garbageCollectWorkflows(ctx, collect);
      if (deleted > 0) ctx.runtime.logger.info("garbage-collected finished workflows", { deleted });
    },
  });
  registerExtension(ctx, {
    name: "durably-garbage-collector",
    async onRecovered() {
      loop.start();
    },
    async onShutdown() {
      await loop.stop();
    },
  });
}
