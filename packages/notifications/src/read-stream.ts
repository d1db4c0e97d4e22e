// readStream: iterate a workflow's stream in order while it is written, until it is closed or
// the workflow ends; resumable from any offset.
import { checkOptions, maxInt4, DurablyError } from "@durably/sysdb";
import { getStatuses, readStreamEntries, streamClosedMarker, streamsChannel } from "@durably/sysdb/queries";
import type { DBOSContext } from "@durably/core";
import { extensionHost, decodeValue, delayUnlessAborted, withDatabaseRetry } from "@durably/core/extension";
import { waitersOf } from "./waiters.js";

export interface ReadStreamOptions {
  /** Start at this offset (0-based; each value's offset is its position). Default 0. */
  readonly fromOffset?: number;
  /** Longest wait between two reads without a wake-up. Default: the context's poll interval. */
  readonly pollMs?: number;
  /**
   * Longest wait for the next value (or the stream's end), after which the iteration throws TIMEOUT;
   * the writer is not affected. Default: wait as long as the workflow runs.
   */
  readonly timeoutMs?: number;
}

export interface StreamValue<T> {
  readonly offset: number;
  readonly value: T;
}

const pageSize = 1_000;
const liveStatuses = new Set(["PENDING", "ENQUEUED", "DELAYED"]);

/**
 * Yields the values of stream `key` of workflow `workflowID` in order, waiting for new ones,
 * and ends when the stream is closed or the workflow is no longer running (after a last read, so
 * values written just before it finished are not lost). Each item carries its offset, so a
 * reader can resume with `fromOffset`. With `timeoutMs`, a wait for the next value longer than that
 * throws TIMEOUT.
 *
 * @example
 * for await (const { value } of readStream<string>(dbos, "agent-7", "tokens")) process.stdout.write(value);
 */
export async function* readStream<T = unknown>(
  ctx: DBOSContext,
  workflowID: string,
  key: string,
  options: ReadStreamOptions = {},
): AsyncGenerator<StreamValue<T>, void, undefined> {
  if (typeof workflowID !== "string" || workflowID === "" || typeof key !== "string" || key === "") {
    throw new DurablyError("INVALID_ARGUMENT", "readStream needs a workflow ID and a non-empty stream key.");
  }
  checkOptions("readStream", options, {
    fromOffset: { type: "number", integer: true, min: 0, max: maxInt4 },
    pollMs: { type: "number", above: 0 },
    timeoutMs: { type: "number", min: 0 },
  });
  const fromOffset = options.fromOffset ?? 0;
  const host = extensionHost(ctx);
  host.assertRunning("read a stream");
  const pollMs = options.pollMs ?? host.pollIntervalMs;
  const retry = { logger: host.logger, signal: host.shutdownSignal };
  let next = fromOffset;
  const timeoutMs = options.timeoutMs;
  /** performance.now() past which a wait for the next value fails; moves on with every value. */
  let deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + timeoutMs;
  let wake = new AbortController();
  const unsubscribe = waitersOf(ctx).subscribe(streamsChannel, `${workflowID}::${key}`, () => wake.abort());
  const unReconnect = host.sysdb.listener.onReconnect(() => wake.abort());
  try {
    for (let finalPass = false; ; ) {
      wake = new AbortController();
      const entries = await withDatabaseRetry(
        "read a stream",
        () => readStreamEntries(host.sysdb, workflowID, key, next, pageSize),
        retry,
      );
      for (const entry of entries) {
        if (entry.value === streamClosedMarker) return;
        next = entry.offset + 1;
        const value = decodeValue(
          entry.value,
          entry.serialization,
          host.serializer,
          `value ${entry.offset} of stream ${key}`,
        ) as T;
        yield { offset: entry.offset, value };
        if (timeoutMs !== undefined) deadline = performance.now() + timeoutMs;
      }
      if (entries.length === pageSize) continue;
      if (finalPass) return;
      const status = (
        await withDatabaseRetry("read a workflow's status", () => getStatuses(host.sysdb, [workflowID]), retry)
      ).get(workflowID);
      if (status === undefined || status.status === null || !liveStatuses.has(status.status)) {
        finalPass = true; // one more read for values committed just before it finished
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new DurablyError(
          "TIMEOUT",
          `readStream timed out: no value of stream ${key} of workflow ${workflowID} within ${timeoutMs} ms ` +
            `(read up to offset ${next}; resume with fromOffset: ${next}).`,
        );
      }
      await delayUnlessAborted(Math.min(pollMs, left), AbortSignal.any([wake.signal, host.shutdownSignal]));
      if (host.shutdownSignal.aborted) throw host.shutdownSignal.reason;
    }
  } finally {
    unsubscribe();
    unReconnect();
  }
}
