// Retries database work through transient failures (connection loss, restarts, contention) with
// capped, jittered backoff, for a bounded time; anything else fails at once.
import { checkOptions, DurablyError, isRetryable } from "@durably/sysdb";
import type { Logger } from "./logger.js";

export interface DatabaseRetryOptions {
  /** Give up after this long. Default 60 000 ms; `Infinity` retries until `signal` aborts. */
  readonly maxMs?: number;
  /**
   * An attempt with no reply after this long counts as a lost connection and is retried: a
   * half-open socket (a partition that dropped the connection silently) would otherwise wait
   * until TCP gives up, many minutes later. The abandoned attempt may still run when the network
   * heals, which is one reason `work` must be idempotent. Default 30 000 ms; `Infinity` sets no deadline.
   */
  readonly attemptTimeoutMs?: number;
  readonly logger?: Logger;
  /** Stops retrying (rejecting with the last error) once aborted. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `work`, retrying it while it fails with a retryable database error. `work` must be idempotent.
 * Extensions get this through `@durably/core/extension`, where a bad option fails before any work.
 *
 * @example
 * const row = await withDatabaseRetry("read a workflow", () => getWorkflow(sysdb, id), { maxMs: 10_000 });
 */
export function withCheckedDatabaseRetry<T>(
  what: string,
  work: () => Promise<T>,
  options: DatabaseRetryOptions = {},
): Promise<T> {
  checkRetryOptions(options);
  return withDatabaseRetry(what, work, options);
}

/**
 * {@link withCheckedDatabaseRetry} without the option check, for core itself: its options are its own
 * (already checked where a user gave them), and it runs on every step checkpoint.
 */
export async function withDatabaseRetry<T>(
  what: string,
  work: () => Promise<T>,
  options: DatabaseRetryOptions = {},
): Promise<T> {
  const started = Date.now();
  const maxMs = options.maxMs ?? 60_000;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 30_000;
  for (let attempt = 1, delay = 50; ; attempt++, delay = Math.min(delay * 2, 2_000)) {
    try {
      return await withReplyDeadline(work(), attemptTimeoutMs);
    } catch (error) {
      if (!isRetryable(error) || Date.now() - started + delay > maxMs || options.signal?.aborted) throw error;
      options.logger?.warn("database call failed; retrying", { what, attempt, error });
      await new Promise((resolve) => setTimeout(resolve, delay * (0.8 + Math.random() * 0.4)));
    }
  }
}

/** Extensions are JavaScript callers too (no type check): unknown keys and bad numbers fail before any work. */
function checkRetryOptions(options: DatabaseRetryOptions): void {
  checkOptions("withDatabaseRetry", options, {
    // Infinity (no limit) is allowed for both, which the number rule refuses: checked below.
    maxMs: { type: "any" },
    attemptTimeoutMs: { type: "any" },
    logger: { type: "object" },
    signal: { type: "object" },
  });
  checkLimit("maxMs", options.maxMs, 0);
  checkLimit("attemptTimeoutMs", options.attemptTimeoutMs, Number.MIN_VALUE);
}

/** A limit in ms: a finite number of at least `least`, or Infinity for none. */
function checkLimit(option: string, ms: unknown, least: number): void {
  if (ms === undefined || ms === Infinity || (typeof ms === "number" && Number.isFinite(ms) && ms >= least)) return;
  const bound = least === 0 ? ">= 0" : "> 0";
  throw new DurablyError(
    "INVALID_ARGUMENT",
    `withDatabaseRetry: ${option} must be a number ${bound} (or Infinity for no limit), got ${String(ms)}.`,
    { details: { option } },
  );
}

/**
 * `attempt`, or REPLY_TIMEOUT after `ms`; settled straight from the attempt (no race: fewer promise turns per
 * statement).
 */
function withReplyDeadline<T>(attempt: Promise<T>, ms: number): Promise<T> {
  if (ms === Infinity) return attempt;
  return new Promise<T>((resolve, reject) => {
    // An abandoned attempt's late failure is still handled below, and settles nothing.
    const timer = setTimeout(() => {
      reject(Object.assign(new Error(`no reply from the database within ${ms} ms`), { code: "REPLY_TIMEOUT" }));
    }, ms);
    attempt.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
