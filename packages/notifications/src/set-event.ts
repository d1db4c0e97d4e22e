// setEvent: publish a key/value from a workflow (progress, results) for anyone to read.
import { DurablyError } from "@durably/sysdb";
import { eventsChannel, setWorkflowEvent } from "@durably/sysdb/queries";
import { runAtomicOperation, type DBOSContext } from "@durably/core";
import { extensionHost, encodeValue, withDatabaseRetry } from "@durably/core/extension";
import { letWaitersRun, waitersOf } from "./waiters.js";

/**
 * Sets event `key` of this workflow to `value` (the latest value wins), as step
 * `DBOS.setEvent`: the value and the checkpoint commit together. Readers waiting in `getEvent`
 * wake at once.
 *
 * @example
 * await setEvent(ctx, "progress", { done: 3, of: 10 });
 */
export async function setEvent(ctx: DBOSContext, key: string, value: unknown): Promise<void> {
  if (typeof key !== "string" || key === "")
    throw new DurablyError("INVALID_ARGUMENT", "setEvent needs a non-empty key.");
  const run = extensionHost(ctx).workflowOf(ctx);
  if (run === undefined)
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "setEvent can only be called inside a workflow, with the workflow's context.",
    );
  const host = extensionHost(ctx);
  const where = `event ${key} of workflow ${run.workflowID}`;
  const text = encodeValue(value, run.format, where, host.maxPayloadBytes);
  await runAtomicOperation(ctx, "DBOS.setEvent", async (step) => {
    const recorded = await withDatabaseRetry(
      "set an event",
      () => setWorkflowEvent(host.sysdb, { ...step, now: host.now() }, "DBOS.setEvent", key, text, step.format),
      { logger: host.logger, signal: host.shutdownSignal },
    );
    if (recorded) {
      // Readers here get the committed value at once; other processes get a wake-up.
      const handed = waitersOf(ctx).handOver(eventsChannel, `${run.workflowID}::${key}`, {
        text,
        serialization: step.format,
      });
      host.notifier.notify(eventsChannel, `${run.workflowID}::${key}`);
      if (handed > 0) await letWaitersRun();
    }
    return recorded ? { recorded: true, value: undefined } : { recorded: false };
  });
}
