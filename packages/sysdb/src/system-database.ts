// The handle to one system database: a connection pool, a typed Kysely instance scoped to the
// schema, and the dedicated LISTEN connection. Everything else in sysdb takes one of these (or a
// transaction on it: queryable.ts).
import { Kysely } from "kysely";
import postgres from "#postgres";
import type { Options, Sql } from "#postgres";
import { checkOptions } from "./check-options.js";
import { checkDatabaseUrl, describeUrl } from "./database-url.js";
import type { DurablyError } from "./durably-error.js";
import { PostgresPoolDialect } from "./kysely-dialect.js";
import { NotificationListener } from "./notification-listener.js";
import type { Queryable } from "./queryable.js";
import { defaultSchemaName, quoteIdentifier, validateSchemaName } from "./schema-name.js";
import type { SystemSchema } from "./tables.js";
import { untilReachable } from "./until-reachable.js";

export interface SystemDatabaseOptions {
  /** A postgres:// or postgresql:// URL with a host and a database (checked by checkDatabaseUrl). */
  readonly url: string;
  /** Where `url` came from (an option or environment variable), named in errors. Default `"url"`. */
  readonly urlName?: string;
  /**
   * A direct connection (not through a transaction pooler) used only for LISTEN, as Neon and
   * Supabase document. Default: `url`.
   */
  readonly listenUrl?: string;
  /** Where `listenUrl` came from, named in errors. Default `"listenUrl"`. */
  readonly listenUrlName?: string;
  /**
   * Set when `url` goes through a pooler in transaction mode (PgBouncer `pool_mode = transaction`,
   * Supavisor, RDS Proxy): statements are sent unnamed (no prepared statement outlives its
   * transaction there), and without a `listenUrl` the listener polls instead of LISTENing.
   * Default false.
   */
  readonly transactionPooler?: boolean;
  /** Told once when notifications are found not to arrive and subscribers are polled instead. Default: ignored. */
  readonly onListenDeaf?: (reason: string) => void;
  /** Schema of the system tables. Default `"dbos"`. Any 1-63 byte name; it is always quoted. */
  readonly schema?: string;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** How long to wait for a connection before failing with DATABASE_UNAVAILABLE. Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Whether {@link SystemDatabase.connect} retries a server that refuses or is unreachable until
   * `connectTimeoutMs` has passed (a restart during a deploy). false fails on the first attempt
   * (command-line tools). Default true.
   */
  readonly retryConnect?: boolean;
  /** Told of each failed connect attempt that will be retried (to log it). Default: ignored. */
  readonly onConnectRetry?: (failure: DurablyError, attempt: number) => void;
  /** Shown as `application_name` in pg_stat_activity (the listener adds `-listen`). Default `"durably"`. */
  readonly applicationName?: string;
  /** Receives errors of background work (the listener's reconnects). Default: ignored. */
  readonly onBackgroundError?: (error: unknown) => void;
  /**
   * Called with the text of every statement the pool sends, its connection's number and its parameters (diagnostics,
   * benchmarks).
   */
  readonly onQuery?: (sql: string, connection: number, parameters: readonly unknown[]) => void;
}

/** An open system database. Create with {@link openSystemDatabase}; close with {@link SystemDatabase.close}. */
export interface SystemDatabase extends Queryable {
  /** The (unquoted) schema name. */
  readonly schema: string;
  /** The schema name quoted for SQL text. */
  readonly quotedSchema: string;
  /** Typed queries, already scoped to the schema: every sysdb statement is built with it. */
  readonly db: Kysely<SystemSchema>;
  /**
   * The postgres.js pool under {@link SystemDatabase.db}: for connection checks, tests and
   * diagnostics. sysdb's own statements do not use it.
   */
  readonly sql: Sql;
  readonly listener: NotificationListener;
  /** Where the database lives, for error messages: `host:port/database`. */
  readonly location: string;
  /** Opens a connection now; fails with a one-line DATABASE_UNAVAILABLE (cause and fix) if none can be had in time. */
  connect(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens a pool and a listener for the system database at `options.url`. No I/O happens until
 * the first query or {@link SystemDatabase.connect}.
 *
 * @example
 * const sysdb = openSystemDatabase({ url: "postgres://postgres@localhost:5432/app_sys" });
 * await sysdb.connect();
 * await migrateSystemDatabase(sysdb);
 * await sysdb.close();
 */
export function openSystemDatabase(options: SystemDatabaseOptions): SystemDatabase {
  checkOptions("openSystemDatabase", options, {
    url: { type: "string", required: true },
    urlName: { type: "string", nonEmpty: true },
    listenUrl: { type: "string" },
    listenUrlName: { type: "string", nonEmpty: true },
    transactionPooler: { type: "boolean" },
    onListenDeaf: { type: "function" },
    schema: { type: "string" },
    poolSize: { type: "number", integer: true, min: 1, max: 1000 },
    connectTimeoutMs: { type: "number", above: 0 },
    retryConnect: { type: "boolean" },
    onConnectRetry: { type: "function" },
    applicationName: { type: "string" },
    onBackgroundError: { type: "function" },
    onQuery: { type: "function" },
  });
  const schema = validateSchemaName(options.schema ?? defaultSchemaName);
  const urlName = options.urlName ?? "url";
  checkDatabaseUrl(options.url, urlName);
  const location = describeUrl(options.url);
  const listenUrl = options.listenUrl ?? options.url;
  if (options.listenUrl !== undefined) checkDatabaseUrl(options.listenUrl, options.listenUrlName ?? "listenUrl");
  const transactionPooler = options.transactionPooler ?? false;
  const poolSize = options.poolSize ?? 10;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const applicationName = options.applicationName ?? "durably";
  const onBackgroundError = options.onBackgroundError ?? (() => undefined);

  const connection = {
    connect_timeout: Math.max(1, Math.ceil(connectTimeoutMs / 1000)),
    // See queries/text-array.ts: no per-connection type fetch, so no unhandled rejection on a reset.
    fetch_types: false,
    onnotice: () => undefined,
    // int8 holds epoch milliseconds and counters, all well inside Number's exact range.
    types: { bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) } },
    connection: { application_name: applicationName },
    // libpq's read-write refuses a hot standby; postgres.js 3.4.7 checks only
    // default_transaction_read_only, which a standby of Postgres 14+ reports off, so it would keep a
    // standby (and every write fail) while the old primary is down. primary checks in_hot_standby.
    ...(/[?&]target_session_attrs=read-write(&|#|$)/.test(options.url) ? { target_session_attrs: "primary" } : {}),
  } as unknown as Options<Record<string, never>>;

  const onQuery = options.onQuery;
  const sql = postgres(options.url, {
    ...connection,
    max: poolSize,
    idle_timeout: 60,
    // A pooler in transaction mode lends each transaction any server connection: a statement
    // prepared on one is unknown on the next (postgres.js then waits forever). Unnamed statements
    // are parsed, described (Flush, no Sync) and run on one. No pipelining either: a statement
    // sent behind another that completes is lent a new server connection between its Parse and
    // its Bind.
    ...(transactionPooler ? { prepare: false, max_pipeline: 0 } : {}),
    ...(onQuery === undefined
      ? {}
      : { debug: (conn: number, query: string, parameters: unknown[]) => onQuery(query, conn, parameters) }),
  });
  const db = new Kysely<SystemSchema>({ dialect: new PostgresPoolDialect(sql as unknown as Sql) }).withSchema(schema);
  const listener = new NotificationListener({
    url: listenUrl,
    connection: {
      ...connection,
      connection: { application_name: `${applicationName}-listen` },
    } as Options<Record<string, never>>,
    onError: onBackgroundError,
    deaf: transactionPooler && options.listenUrl === undefined,
    probe: async (channel, payload) => {
      await db.selectNoFrom((eb) => eb.fn("pg_notify", [eb.val(channel), eb.val(payload)]).as("notified")).execute();
    },
    ...(options.onListenDeaf === undefined ? {} : { onDeaf: options.onListenDeaf }),
  });

  let closed = false;
  return {
    schema,
    quotedSchema: quoteIdentifier(schema),
    db,
    sql,
    listener,
    location,
    async connect() {
      await untilReachable(
        () => sql`select 1`,
        { url: options.url, urlName },
        {
          timeoutMs: connectTimeoutMs,
          retry: options.retryConnect ?? true,
          onRetry: options.onConnectRetry,
        },
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener.close();
      await sql.end({ timeout: 5 });
    },
  };
}
