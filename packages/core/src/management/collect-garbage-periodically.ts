// collectGarbagePeriodically: retention as a background task of a worker.
import { checkOptions } from "@durably/sysdb";
import { abortableDelay } from "../abortable-delay.js";
import type { DBOSContext } from "../dbos-context.js";
import { registerExtension } from "../extension.js";
import { garbageCollectRules, garbageCollectWorkflows, type GarbageCollectOptions } from "./garbage-collect-workflows.js";

export interface PeriodicGarbageCollectOptions extends GarbageCollectOptions {
  /** Time between two collections. Default one hour. */
  readonly intervalMs?: number;
}

/**
 * From launch on, runs garbageCollectWorkflows every `intervalMs` (from any number of workers;
 * batches skip rows another one is deleting). Call before launch.
 *
 * @example
 * collectGarbagePeriodically(dbos, { olderThanMs: 30 * 24 * 3_600_000 });
 */
export function collectGarbagePeriodically(ctx: DBOSContext, options: PeriodicGarbageCollectOptions): void {
  checkOptions("collectGarbagePeriodically", options, { ...garbageCollectRules, intervalMs: { type: "number", above: 0 } });
  const intervalMs = options.intervalMs ?? 3_600_000;
  const { intervalMs: _interval, ...collect } = options;
  const stop = new AbortController();
  let loop: Promise<void> | undefined;
  registerExtension(ctx, {
    name: "durably-garbage-collector",
    async onRecovered() {
      loop = (async () => {
        while (!stop.signal.aborted) {
          try {
            const deleted = await garbageCollectWorkflows(ctx, collect);
            if (deleted > 0) ctx.runtime.logger.info("garbage-collected finished workflows", { deleted });
          } catch (error) {
            if (!stop.signal.aborted) ctx.runtime.logger.warn("garbage collection failed; will retry next interval", { error });
          }
          await abortableDelay(intervalMs, stop.signal).catch(() => undefined);
        }
      })();
    },
    async onShutdown() {
      stop.abort();
      await loop;
    },
  });
}
