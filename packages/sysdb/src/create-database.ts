// Creates the system database on first launch, as DBOS does, so a URL naming a new database works.
import { Kysely, sql } from "kysely";
import postgres from "#postgres";
import type { Sql } from "#postgres";
import { checkOptions } from "./check-options.js";
import { connectionFailure } from "./connection-failure.js";
import { checkDatabaseUrl, describeUrl, urlParts, withDatabase } from "./database-url.js";
import { DurablyError, isDurablyError } from "./durably-error.js";
import { PostgresPoolDialect } from "./kysely-dialect.js";
import { classifyError } from "./sqlstate.js";
import { untilReachable } from "./until-reachable.js";

export interface EnsureDatabaseOptions {
  /** Where the URL came from (an option or environment variable), named in errors. Default `"url"`. */
  readonly urlName?: string;
  /** How long to wait for the server. Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /** Retry a server that refuses or is unreachable until `connectTimeoutMs` has passed. Default true. */
  readonly retryConnect?: boolean;
  /** Told of each failed connect attempt that will be retried. */
  readonly onConnectRetry?: (failure: DurablyError, attempt: number) => void;
}

/**
 * Makes sure the database named in `url` exists, creating it through the server's `postgres`
 * database when it does not. Returns true when it created it.
 *
 * @example
 * await ensureDatabaseExists("postgres://postgres@localhost:5432/app_sys", { urlName: "DBOS_SYSTEM_DATABASE_URL" });
 */
export async function ensureDatabaseExists(url: string, options: EnsureDatabaseOptions = {}): Promise<boolean> {
  checkOptions("ensureDatabaseExists", options, {
    urlName: { type: "string", nonEmpty: true },
    connectTimeoutMs: { type: "number", above: 0 },
    retryConnect: { type: "boolean" },
    onConnectRetry: { type: "function" },
  });
  const target = { url, urlName: options.urlName ?? "url" };
  checkDatabaseUrl(url, target.urlName);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const connect_timeout = Math.max(1, Math.ceil(connectTimeoutMs / 1000));
  const probe = postgres(url, { max: 1, connect_timeout, fetch_types: false, onnotice: () => undefined });
  const probeDb = overSql(probe);
  try {
    await untilReachable(() => probeDb.selectNoFrom((eb) => eb.lit(1).as("one")).execute(), target, {
      timeoutMs: connectTimeoutMs,
      retry: options.retryConnect ?? true,
      onRetry: options.onConnectRetry,
    });
    return false;
  } catch (error) {
    if (!(isDurablyError(error) && classifyError(error.cause) === "missing_database")) throw error;
  } finally {
    await probe.end({ timeout: 1 });
  }

  const name = urlParts(url).database;
  const admin = postgres(withDatabase(url, "postgres"), {
    max: 1,
    connect_timeout,
    fetch_types: false,
    onnotice: () => undefined,
  });
  try {
    // sql: Kysely's schema builder has no CREATE DATABASE.
    await sql`create database ${sql.id(name)}`.execute(overSql(admin));
    return true;
  } catch (error) {
    // Another process created it first: that is what we wanted.
    if ((error as { code?: string }).code === "42P04") return false;
    if (classifyError(error) === "connection") throw connectionFailure(error, target);
    throw new DurablyError(
      "DATABASE_UNAVAILABLE",
      `The database at ${describeUrl(url)} does not exist and could not be created: ${(error as Error).message}. ` +
        "Create it yourself, or give the user the CREATEDB privilege.",
      { cause: error },
    );
  } finally {
    await admin.end({ timeout: 1 });
  }
}

/** A Kysely instance over a one-off postgres.js connection (no schema: these statements name none). */
function overSql(connection: ReturnType<typeof postgres>): Kysely<Record<string, never>> {
  return new Kysely({ dialect: new PostgresPoolDialect(connection as unknown as Sql) });
}
