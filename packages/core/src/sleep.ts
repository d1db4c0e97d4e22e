// Durable sleep: the wake-up time is checkpointed first, so a restart does not restart the clock.
import { DurablyError } from "@durably/sysdb";
import { abortableDelay } from "./abortable-delay.js";
import { DBOSContext } from "./dbos-context.js";
import { runDurableOperation } from "./run-durable-operation.js";

/**
 * Sleeps `ms` milliseconds. Inside a workflow the wake-up time is recorded (as step
 * `DBOS.sleep`), so after a crash the workflow sleeps only for what remains.
 *
 * @example
 * await sleep(ctx, 24 * 60 * 60 * 1000); // resume tomorrow, even across restarts
 */
export async function sleep(ctx: DBOSContext, ms: number): Promise<void> {
  if (!(ctx instanceof DBOSContext))
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "sleep's first argument must be a DBOSContext (the workflow's, inside one).",
    );
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw new DurablyError("INVALID_ARGUMENT", `sleep needs a finite number of milliseconds >= 0, got ${String(ms)}.`);
  }
  const wakeAt = await runDurableOperation(ctx, "DBOS.sleep", async () => ctx.runtime.now() + ms, {
    format: "portable_json",
  });
  // Node timers can fire a millisecond or two early: wait until the recorded time has passed.
  while (ctx.runtime.now() < Number(wakeAt)) await abortableDelay(Number(wakeAt) - ctx.runtime.now(), ctx.signal);
}
