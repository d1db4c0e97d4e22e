// Turns a failed connection into the one line a person acts on: what happened, and what to change.
import { DurablyError } from "./durably-error.js";
import { urlParts } from "./database-url.js";
import { errorCode } from "./sqlstate.js";

/** Why a connection failed, as `details.reason` of the DATABASE_UNAVAILABLE error. */
export type ConnectionFailureReason = "refused" | "unknown_host" | "timeout" | "auth" | "missing_database" | "other";

/** Where a connection went: the URL and the option or environment variable it came from. */
export interface ConnectionTarget {
  readonly url: string;
  /** Named in the fix, e.g. `DBOS_SYSTEM_DATABASE_URL` or `--db`. */
  readonly urlName: string;
}

/** How long a connection was retried before giving up. */
export interface ConnectionWait {
  readonly attempts: number;
  readonly ms: number;
}

/**
 * A DATABASE_UNAVAILABLE error whose message is one line: the cause (connection refused, unknown
 * host, login refused, database missing, no answer) and the fix. `details.reason` names the cause.
 */
export function connectionFailure(cause: unknown, target: ConnectionTarget, wait?: ConnectionWait): DurablyError {
  const { host, port, database } = urlParts(target.url);
  const at = `${host}:${port}`;
  const said = cause instanceof Error ? cause.message : String(cause);
  const waited =
    wait === undefined || wait.attempts < 2 ? "" : ` (tried ${wait.attempts} times over ${Math.round(wait.ms)} ms)`;
  const reason = reasonOf(cause);
  const [what, fix] = {
    refused: [
      `Connection refused by ${at}: no Postgres accepts connections there`,
      `Start Postgres, or correct the host and port in ${target.urlName}.`,
    ],
    unknown_host: [`Unknown host ${host}: its name does not resolve`, `Correct the host in ${target.urlName}.`],
    timeout: [
      `No answer from Postgres at ${at} (${said})`,
      `Check that the server is up and reachable from here (firewall, VPN), ` +
        `or correct the host and port in ${target.urlName}.`,
    ],
    auth: [`Postgres at ${at} refused the login: ${said}`, `Correct the user and password in ${target.urlName}.`],
    missing_database: [
      `The database "${database}" does not exist on ${at}`,
      `Create it (\`durably migrate\` or a worker's launch does), or correct the database name in ${target.urlName}.`,
    ],
    other: [
      `Could not connect to Postgres at ${at}: ${said}`,
      `Check that the server is running and that ${target.urlName} (host, port, user, password) is right.`,
    ],
  }[reason];
  return new DurablyError("DATABASE_UNAVAILABLE", `${what}${waited}. ${fix}`, {
    cause,
    details: {
      reason,
      location: `${at}/${database}`,
      ...(wait === undefined ? {} : { attempts: wait.attempts, waitedMs: Math.round(wait.ms) }),
    },
  });
}

function reasonOf(cause: unknown): ConnectionFailureReason {
  const code = errorCode(cause);
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "unknown_host";
  if (code === "CONNECT_TIMEOUT" || code === "ETIMEDOUT" || code === "EHOSTUNREACH" || code === "ENETUNREACH")
    return "timeout";
  // 28000: no such role, or pg_hba.conf refused the client; 28P01: wrong password.
  if (code === "28000" || code === "28P01") return "auth";
  if (code === "3D000") return "missing_database";
  return "other";
}
