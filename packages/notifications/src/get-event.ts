// getEvent: read a workflow's event, waiting until it is set (from anywhere, or durably from a workflow).
import { checkOptions, DurablyError } from "@durably/sysdb";
import { eventsChannel, getWorkflowEvent, readWorkflowEventAsStep } from "@durably/sysdb/queries";
import { runDurableWait, type DBOSContext } from "@durably/core";
import { extensionHost, decodeValue, withDatabaseRetry } from "@durably/core/extension";
import { decodingTaker, waitersOf } from "./waiters.js";

export interface GetEventOptions {
  /** How long to wait for the event to be set; 0 reads once without waiting. Default 60 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * The current value of event `key` of workflow `workflowID`, waiting until it is set. Throws
 * TIMEOUT if it is not set in time. Inside a workflow it is checkpointed (`DBOS.getEvent` plus
 * a `DBOS.sleep` for the deadline), so replays read the same value.
 *
 * @example
 * const progress = await getEvent(dbos, "order-42", "progress", { timeoutMs: 5000 });
 */
export async function getEvent<T = unknown>(
  ctx: DBOSContext,
  workflowID: string,
  key: string,
  options: GetEventOptions = {},
): Promise<T> {
  if (typeof workflowID !== "string" || workflowID === "")
    throw new DurablyError("INVALID_ARGUMENT", "getEvent needs a workflow ID.");
  if (typeof key !== "string" || key === "")
    throw new DurablyError("INVALID_ARGUMENT", "getEvent needs a non-empty key.");
  checkOptions("getEvent", options, { timeoutMs: { type: "number", min: 0 } });
  const host = extensionHost(ctx);
  host.assertRunning("read an event");
  const timeoutMs = options.timeoutMs ?? 60_000;
  const decode = (value: string, serialization: string | null) =>
    decodeValue(value, serialization, host.serializer, `event ${key} of workflow ${workflowID}`) as T;
  const retry = { logger: host.logger, signal: host.shutdownSignal };
  return await runDurableWait<T>(ctx, {
    name: "DBOS.getEvent",
    timeoutMs,
    pollMs: host.pollIntervalMs,
    // Outside a workflow, a setEvent in this process hands over the value it committed; inside
    // one, the read must be checkpointed, so it is only a wake-up.
    subscribe: (wake, deliver, step) =>
      waitersOf(ctx).subscribe(
        eventsChannel,
        `${workflowID}::${key}`,
        wake,
        step === undefined ? decodingTaker(step, decode, deliver, wake) : undefined,
      ),
    timeoutError: () =>
      new DurablyError(
        "TIMEOUT",
        `getEvent timed out: event ${key} of workflow ${workflowID} was not set within ${timeoutMs} ms.`,
        { workflowID },
      ),
    attempt: async (step) => {
      if (step === undefined) {
        const event = await withDatabaseRetry(
          "read an event",
          () => getWorkflowEvent(host.sysdb, workflowID, key),
          retry,
        );
        return event === undefined ? undefined : { recorded: true, value: decode(event.value, event.serialization) };
      }
      const result = await withDatabaseRetry(
        "read an event",
        () => readWorkflowEventAsStep(host.sysdb, { ...step, now: host.now() }, "DBOS.getEvent", workflowID, key),
        retry,
      );
      if (result.kind === "empty") return undefined;
      if (result.kind === "refused") return { recorded: false };
      return { recorded: true, value: decode(result.value, result.serialization) };
    },
  });
}
