// The one place that knows what Postgres's SQLSTATE codes and socket errors mean to durably.

/** What a database error means for the caller. */
export type ErrorClass =
  /** The connection failed or was lost: retrying on a fresh connection may succeed. */
  | "connection"
  /** Serialization failure, deadlock or lock not available: retry the transaction. */
  | "contention"
  /** A unique constraint rejected the write. */
  | "unique_violation"
  /** A foreign key rejected the write. */
  | "foreign_key_violation"
  /** The database does not exist. */
  | "missing_database"
  /** Anything else: a bug or bad data, not worth retrying. */
  | "other";

const socketErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  // durably's own: a statement got no reply in time (a half-open connection).
  "REPLY_TIMEOUT",
]);

/** Reads the SQLSTATE (or the driver's socket error code) of an error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** Classifies a database error. */
export function classifyError(error: unknown): ErrorClass {
  const code = errorCode(error);
  if (code === undefined) return "other";
  if (socketErrorCodes.has(code)) return "connection";
  if (code === "23505") return "unique_violation";
  if (code === "23503") return "foreign_key_violation";
  if (code === "3D000") return "missing_database";
  if (code === "40001" || code === "40P01" || code === "55P03") return "contention";
  // Class 08 is connection exceptions; 57P01-57P03 are admin/crash shutdown and "cannot connect
  // now" while the server starts; 53300 is too many connections. 25006 (a write in a read-only
  // transaction) is not: retrying it runs the same write into the same refusal.
  if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03") return "connection";
  if (code === "53300") return "connection";
  return "other";
}

/** True when retrying the same work later may succeed (connection loss or contention). */
export function isRetryable(error: unknown): boolean {
  const kind = classifyError(error);
  return kind === "connection" || kind === "contention";
}
