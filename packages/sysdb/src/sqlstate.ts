// The one place that knows what Postgres's SQLSTATE codes and the driver's connection errors mean
// to durably: which are transient (runAsTransaction and withDatabaseRetry retry them) and which
// fail at once.
import { isDurablyError } from "./durably-error.js";

/** What a database error means for the caller. */
export type ErrorClass =
  /** The connection failed or was lost: retrying on a fresh connection may succeed. */
  | "connection"
  /** Serialization failure or deadlock: rerunning the transaction may succeed. */
  | "contention"
  /** A unique constraint rejected the write. */
  | "unique_violation"
  /** A foreign key rejected the write. */
  | "foreign_key_violation"
  /** The database does not exist. */
  | "missing_database"
  /** Anything else: a bug, bad data or a limit the user set, not worth retrying. */
  | "other";

/**
 * What each SQLSTATE gets, by exact code or else by class (its first two characters). A code in
 * neither is "other". Only "connection" and "contention" are retried.
 */
const sqlstates: Readonly<Record<string, ErrorClass>> = {
  // Class 08 connection_exception: the connection broke or could not be made; a new one may work.
  "08": "connection",
  // Class 22 data_exception (22012 division_by_zero, 22P02 bad input …): the same data fails again.
  "22": "other",
  // Class 23 integrity_constraint_violation: the same write breaks the same constraint again.
  "23": "other",
  // unique_violation: callers that expect a race (a second insert of the same row) check for it.
  "23505": "unique_violation",
  // foreign_key_violation: the referenced row is missing (send to a workflow that does not exist).
  "23503": "foreign_key_violation",
  // Class 25 invalid_transaction_state (25006 a write in a READ ONLY transaction): refused again.
  "25": "other",
  // invalid_catalog_name: the database does not exist; create it rather than wait for it.
  "3D000": "missing_database",
  // Class 40 transaction_rollback: only these two mean "run it again"; 40002/40003 do not.
  "40": "other",
  // serialization_failure: a concurrent transaction won; a rerun sees its writes.
  "40001": "contention",
  // deadlock_detected: Postgres aborted this side of a deadlock; a rerun takes its locks anew.
  "40P01": "contention",
  // Class 42 syntax_error_or_access_rule_violation: the statement or the grants are wrong.
  "42": "other",
  // Class 53 insufficient_resources (disk full, out of memory): not ours to wait out.
  "53": "other",
  // too_many_connections: slots free up as other clients disconnect.
  "53300": "connection",
  // Class 55 object_not_in_prerequisite_state (55000, 55006 object_in_use …): the state is not ours to wait out.
  "55": "other",
  // lock_not_available (NOWAIT, lock_timeout): the user bounded the wait; a retry would defeat it.
  "55P03": "other",
  // Class 57 operator_intervention (57014 query_canceled by statement_timeout or a cancel): stays.
  "57": "other",
  // admin_shutdown: the server is stopping, or pg_terminate_backend ended our session.
  "57P01": "connection",
  // crash_shutdown: another backend crashed and the server reset every session.
  "57P02": "connection",
  // cannot_connect_now: the server is starting up or recovering.
  "57P03": "connection",
  // idle_session_timeout (Postgres 14+, set low by managed providers) ended an idle session.
  "57P05": "connection",
  // idle_in_transaction_session_timeout ended the session: its transaction never committed.
  "25P03": "connection",
};

/**
 * Codes that only a driver gives a connection it lost or could not open (postgres.js's own, and
 * durably's attempt deadlines): a lost connection whoever passes them on.
 */
const driverConnectionCodes = new Set([
  "CONNECTION_CLOSED", // postgres.js: the socket closed while queries were pending
  "CONNECTION_ENDED", // postgres.js: the pool was ended (sql.end) before the query ran
  "CONNECTION_DESTROYED", // postgres.js: the connection was torn down with queries pending
  "CONNECT_TIMEOUT", // postgres.js, and sysdb's connect deadline: no connection in time
  "REPLY_TIMEOUT", // durably: a statement got no reply in time (a half-open connection)
]);

/**
 * Node's socket errors. User code raises them too (an HTTP call in a transaction's body), so they
 * mean a lost database connection only when the driver raised them for its socket: see
 * {@link raisedByDriver}.
 */
const socketErrorCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/** Reads the SQLSTATE (or the driver's socket error code) of an error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * True when postgres.js rejected a query with this error: it attaches the query and its
 * parameters (as own properties) to every error it rejects a query with, socket errors included.
 */
function raisedByDriver(error: object): boolean {
  return Object.hasOwn(error, "query") && Object.hasOwn(error, "parameters");
}

export interface ClassifyOptions {
  /**
   * The error came from the driver, not from user code: a socket error counts as a lost
   * connection even without postgres.js's marks (as from `sql.reserve()`, which has no query).
   */
  readonly fromDriver?: boolean;
}

/** Classifies a database error. */
export function classifyError(error: unknown, options: ClassifyOptions = {}): ErrorClass {
  // sysdb's own: a row deleted between two statements; the caller starts over, as after a lost connection.
  if (isDurablyError(error, "CONCURRENT_DELETE")) return "connection";
  const code = errorCode(error);
  if (code === undefined) return "other";
  if (driverConnectionCodes.has(code)) return "connection";
  if (socketErrorCodes.has(code)) {
    return options.fromDriver === true || raisedByDriver(error as object) ? "connection" : "other";
  }
  if (!/^[0-9A-Z]{5}$/.test(code)) return "other";
  return sqlstates[code] ?? sqlstates[code.slice(0, 2)] ?? "other";
}

/**
 * True when Postgres cancelled the statement (57014 query_canceled: statement_timeout or a
 * cancel request), here or in an error's causes: a smaller piece of the same work may fit.
 */
export function isStatementCancelled(error: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (errorCode(e) === "57014") return true;
    if (typeof e !== "object" || e === null) return false;
  }
  return false;
}

/** True when retrying the same work later may succeed (connection loss or contention). */
export function isRetryable(error: unknown, options: ClassifyOptions = {}): boolean {
  const kind = classifyError(error, options);
  return kind === "connection" || kind === "contention";
}
