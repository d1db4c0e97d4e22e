// recv: a workflow takes the oldest message on a topic, exactly once, waiting durably for it.
import { checkOptions, DurablyError } from "@durably/sysdb";
import { consumeMessage, messagesChannel } from "@durably/sysdb/queries";
import { runDurableWait, type DBOSContext } from "@durably/core";
import { extensionHost, decodeValue, withDatabaseRetry } from "@durably/core/extension";
import { validTopic } from "./send.js";
import { decodingTaker, waitersOf } from "./waiters.js";

export interface RecvOptions {
  /** Default: messages sent without a topic. */
  readonly topic?: string;
  /** How long to wait; the deadline is checkpointed, so a restart does not restart it. Default 60 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Receives the oldest unconsumed message sent to this workflow on the topic. Each message is
 * received once: consuming it and checkpointing the step commit together. Throws TIMEOUT when
 * nothing arrives in time (recorded too, so a replay times out the same way without waiting).
 * Uses two step IDs (`DBOS.recv`, then `DBOS.sleep` for the deadline), as DBOS does.
 *
 * @example
 * const payment = await recv<{ paid: boolean }>(ctx, { topic: "payment", timeoutMs: 3_600_000 });
 */
export async function recv<T = unknown>(ctx: DBOSContext, options: RecvOptions = {}): Promise<T> {
  checkOptions("recv", options, { topic: { type: "string", nonEmpty: true }, timeoutMs: { type: "number", min: 0 } });
  const topic = validTopic(options.topic);
  const run = extensionHost(ctx).workflowOf(ctx);
  if (run === undefined)
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "recv can only be called inside a workflow, with the workflow's context.",
    );
  const host = extensionHost(ctx);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const decode = (text: string, serialization: string | null) =>
    decodeValue(text, serialization, host.serializer, `message received by workflow ${run.workflowID}`) as T;
  return await runDurableWait<T>(ctx, {
    name: "DBOS.recv",
    timeoutMs,
    pollMs: host.pollIntervalMs,
    // A sender in this process may receive the message at our step for us (see send).
    subscribe: (wake, deliver, step) =>
      waitersOf(ctx).subscribe(
        messagesChannel,
        `${run.workflowID}::${topic}`,
        wake,
        decodingTaker(step, decode, deliver, wake),
      ),
    timeoutError: () =>
      new DurablyError(
        "TIMEOUT",
        `recv timed out: no message on topic ${options.topic ?? "(none)"} reached ` +
          `workflow ${run.workflowID} within ${timeoutMs} ms.`,
        {
          workflowID: run.workflowID,
        },
      ),
    attempt: async (step) => {
      const result = await withDatabaseRetry(
        "receive a message",
        () => consumeMessage(host.sysdb, { ...step!, now: host.now() }, topic, "DBOS.recv"),
        { logger: host.logger, signal: host.shutdownSignal },
      );
      if (result.kind === "empty") return undefined;
      if (result.kind === "refused") return { recorded: false };
      return { recorded: true, value: decode(result.message, result.serialization) };
    },
  });
}
