// Connects through a server restart (a deploy) for a bounded time, or fails on the first attempt
// when asked to (a command-line tool, where a refused port is not worth seconds of waiting).
import { connectionFailure, type ConnectionTarget } from "./connection-failure.js";
import type { DurablyError } from "./durably-error.js";
import { classifyError } from "./sqlstate.js";

export interface ReachOptions {
  /** Give up after this long in all. */
  readonly timeoutMs: number;
  /** false: fail on the first failed attempt. */
  readonly retry: boolean;
  /** Told of each failed attempt that will be retried. */
  readonly onRetry?: ((failure: DurablyError, attempt: number) => void) | undefined;
}

/**
 * Runs `attempt` until it succeeds, retrying connection failures (a server that refuses
 * connections or is still starting up) for up to `timeoutMs` when `retry` is on. Fails with the
 * one-line DATABASE_UNAVAILABLE error of {@link connectionFailure}, its `cause` the driver's error.
 */
export async function untilReachable<T>(
  attempt: () => Promise<T>,
  target: ConnectionTarget,
  options: ReachOptions,
): Promise<T> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  for (let attempts = 1, delay = 50; ; attempts++, delay = Math.min(delay * 2, 1_000)) {
    try {
      return await withTimeout(attempt(), Math.max(1, deadline - Date.now()) + 1000);
    } catch (error) {
      const retry = options.retry && classifyError(error) === "connection" && Date.now() + delay < deadline;
      if (!retry) throw connectionFailure(error, target, { attempts, ms: Date.now() - started });
      options.onRetry?.(connectionFailure(error, target), attempts);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`timed out after ${ms} ms`), { code: "CONNECT_TIMEOUT" })),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
