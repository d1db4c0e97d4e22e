// Retries database work through transient failures (connection loss, restarts, contention) with
// capped, jittered backoff, for a bounded time; anything else fails at once.
import { isRetryable } from "@durably/sysdb";
import type { Logger } from "./logger.js";

export interface DatabaseRetryOptions {
  /** Give up after this long. Default 60 000 ms. */
  readonly maxMs?: number;
  readonly logger?: Logger;
  /** Stops retrying (rejecting with the last error) once aborted. */
  readonly signal?: AbortSignal;
}

/** Runs `work`, retrying it while it fails with a retryable database error. `work` must be idempotent. */
export async function withDatabaseRetry<T>(what: string, work: () => Promise<T>, options: DatabaseRetryOptions = {}): Promise<T> {
  const started = Date.now();
  const maxMs = options.maxMs ?? 60_000;
  for (let attempt = 1, delay = 50; ; attempt++, delay = Math.min(delay * 2, 2_000)) {
    try {
      return await work();
    } catch (error) {
      if (!isRetryable(error) || Date.now() - started + delay > maxMs || options.signal?.aborted) throw error;
      options.logger?.warn("database call failed; retrying", { what, attempt, error });
      await new Promise((resolve) => setTimeout(resolve, delay * (0.8 + Math.random() * 0.4)));
    }
  }
}
