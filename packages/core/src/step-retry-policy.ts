// How a failing step is retried: exponential backoff with jitter, a cap, and a predicate.
import { DurablyError, type OptionRules } from "@durably/sysdb";

export interface StepRetryOptions {
  /** Retries after the first attempt. Default 0 (no retry). */
  readonly maxRetries?: number;
  /** Wait before the first retry. Default 100 ms. */
  readonly intervalMs?: number;
  /** Multiplier per retry. Default 2. */
  readonly backoffFactor?: number;
  /** Largest wait. Default 5 000 ms (raised to intervalMs if that is larger). */
  readonly maxIntervalMs?: number;
  /** Return false to stop retrying on this error. Default: retry every error. */
  readonly retryIf?: (error: unknown) => boolean;
}

/** What each retry option must be, for checkOptions. */
export const stepRetryRules: OptionRules = {
  maxRetries: { type: "number", integer: true, min: 0 },
  intervalMs: { type: "number", min: 0 },
  backoffFactor: { type: "number", min: 1 },
  maxIntervalMs: { type: "number", min: 0 },
  retryIf: { type: "function" },
};

export interface StepRetryPolicy {
  readonly maxRetries: number;
  readonly intervalMs: number;
  readonly backoffFactor: number;
  readonly maxIntervalMs: number;
  readonly retryIf: (error: unknown) => boolean;
}

/** Validates retry options; a bad value is an INVALID_ARGUMENT naming the option. */
export function resolveRetryPolicy(options: StepRetryOptions, stepName: string): StepRetryPolicy {
  const check = (name: string, value: number, min: number) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
      throw new DurablyError(
        "INVALID_ARGUMENT",
        `Step ${stepName}: ${name} must be a number >= ${min}, got ${String(value)}.`,
        { stepName },
      );
    }
    return value;
  };
  const maxRetries = check("maxRetries", options.maxRetries ?? 0, 0);
  if (!Number.isInteger(maxRetries))
    throw new DurablyError("INVALID_ARGUMENT", `Step ${stepName}: maxRetries must be an integer.`, { stepName });
  const intervalMs = check("intervalMs", options.intervalMs ?? 100, 0);
  return Object.freeze({
    maxRetries,
    intervalMs,
    backoffFactor: check("backoffFactor", options.backoffFactor ?? 2, 1),
    maxIntervalMs: Math.max(
      check("maxIntervalMs", options.maxIntervalMs ?? 5_000, 0),
      options.maxIntervalMs === undefined ? intervalMs : 0,
    ),
    retryIf: options.retryIf ?? (() => true),
  });
}

/** The wait before retry number `retry` (1-based): base × factor^(retry-1), capped, ±5% jitter. */
export function retryDelayMs(policy: StepRetryPolicy, retry: number): number {
  const raw = Math.min(policy.maxIntervalMs, policy.intervalMs * policy.backoffFactor ** (retry - 1));
  return raw * (0.95 + Math.random() * 0.1);
}
