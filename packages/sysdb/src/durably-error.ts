// The one error type of every durably package: a closed set of codes, recognisable across
// duplicate copies of the package (a Symbol.for brand, not a bare instanceof).

/** Every code a {@link DurablyError} can carry. Add a code here, never a new error class. */
export const durablyErrorCodes = [
  "INVALID_CONFIG",
  "INVALID_ARGUMENT",
  "INVALID_NAME",
  "LIFECYCLE",
  "REGISTRATION",
  "DATABASE_UNAVAILABLE",
  "DATABASE_ERROR",
  "MIGRATION_REFUSED",
  "WORKFLOW_NOT_REGISTERED",
  "WORKFLOW_CONFLICT",
  "NONEXISTENT_WORKFLOW",
  "WORKFLOW_CANCELLED",
  "DEAD_LETTER",
  "UNEXPECTED_STEP",
  "NESTED_DURABLE_OPERATION",
  "MAX_STEP_RETRIES_EXCEEDED",
  "SERIALIZATION",
  "DESERIALIZATION",
  /** A serialized value is larger than the context's maxPayloadBytes: nothing was written. */
  "PAYLOAD_TOO_LARGE",
  "TIMEOUT",
  "QUEUE_DEDUPLICATED",
  "QUEUE_NOT_FOUND",
  "SCHEDULE_NOT_FOUND",
  /** A run's workflow was resumed, recovered or dead-lettered elsewhere: the run stops and adopts that outcome. */
  "LOST_OWNERSHIP",
  /** A row vanished between two statements (a concurrent delete): retried as a lost connection is. */
  "CONCURRENT_DELETE",
] as const;

export type DurablyErrorCode = (typeof durablyErrorCodes)[number];

const brand = Symbol.for("durably.error");

export interface DurablyErrorOptions {
  readonly cause?: unknown;
  readonly workflowID?: string;
  readonly stepName?: string;
  readonly stepID?: number;
  /** Extra facts for programs (e.g. every attempt's error); shown by `toJSON`. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * An error raised by durably itself. The message says what happened and what to do.
 *
 * @example
 * try { await handle.getResult({ timeoutMs: 1000 }); }
 * catch (e) { if (isDurablyError(e, "TIMEOUT")) console.log("still running"); }
 */
export class DurablyError extends Error {
  readonly code: DurablyErrorCode;
  readonly workflowID: string | undefined;
  readonly stepName: string | undefined;
  readonly stepID: number | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: DurablyErrorCode, message: string, options: DurablyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DurablyError";
    this.code = code;
    this.workflowID = options.workflowID;
    this.stepName = options.stepName;
    this.stepID = options.stepID;
    this.details = options.details;
    Object.defineProperty(this, brand, { value: true });
  }
}

/** True for a {@link DurablyError} (optionally of one code), from any copy of the package. */
export function isDurablyError(error: unknown, code?: DurablyErrorCode): error is DurablyError {
  if (typeof error !== "object" || error === null || !(brand in error)) return false;
  return code === undefined || (error as { code?: unknown }).code === code;
}
