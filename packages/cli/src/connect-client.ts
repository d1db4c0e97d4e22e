// Every command that reads or changes workflows opens one client and always closes it.
import { createClient, shutdown, type DBOSContext, type Logger } from "@durably/core";
import { checkDatabaseUrl, openSystemDatabase } from "@durably/sysdb";
import { usage } from "./cli-failure.js";
import { poolerSettings, type PoolerFlags, type PoolerSettings } from "./pooler-options.js";

export interface ConnectionOptions extends PoolerFlags {
  readonly db?: string;
  readonly schema?: string;
  readonly app?: string;
}

/** The system database URL and where it came from, and how to reach it through a transaction pooler. */
export interface DatabaseUrl {
  readonly url: string;
  /** `--db` or `DBOS_SYSTEM_DATABASE_URL`, named in errors. */
  readonly urlName: string;
  readonly pooler: PoolerSettings;
}

/**
 * The system database URL from --db, else DBOS_SYSTEM_DATABASE_URL, checked (a usage error if
 * neither or malformed), with --transaction-pooler and --listen-db (or their environment variables).
 */
export function databaseUrl(options: ConnectionOptions): DatabaseUrl {
  const urlName = options.db === undefined ? "DBOS_SYSTEM_DATABASE_URL" : "--db";
  const url = options.db ?? process.env.DBOS_SYSTEM_DATABASE_URL;
  if (url === undefined || url === "") {
    throw usage("No system database: pass --db postgres://user@host:5432/database or set DBOS_SYSTEM_DATABASE_URL.");
  }
  return { url: checkDatabaseUrl(url, urlName), urlName, pooler: poolerSettings(options) };
}

/** How long a command waits for the server's reply to a connection; a refused one fails at once. */
export const cliConnectTimeoutMs = 5_000;

/**
 * Connects once without retrying: a person at a terminal wants "connection refused" now, not after
 * the library's wait for a restarting server.
 */
export async function checkReachable({ url, urlName, pooler }: DatabaseUrl): Promise<void> {
  const probe = openSystemDatabase({
    url,
    urlName,
    transactionPooler: pooler.transactionPooler,
    poolSize: 1,
    connectTimeoutMs: cliConnectTimeoutMs,
    retryConnect: false,
  });
  try {
    await probe.connect();
  } finally {
    await probe.close();
  }
}

/** The CLI's settings of a command's client: how many connections, and where its log goes. */
export interface ClientSettings {
  readonly poolSize: number;
  readonly logger: Logger;
}

/**
 * A client on the system database of --db (or DBOS_SYSTEM_DATABASE_URL), reached once first so that an
 * unreachable server fails the command at once. The caller shuts it down.
 */
export async function connectClient(options: ConnectionOptions, settings: ClientSettings): Promise<DBOSContext> {
  const target = databaseUrl(options);
  await checkReachable(target);
  return createClient({
    systemDatabaseUrl: target.url,
    ...clientPoolerOptions(target),
    poolSize: settings.poolSize,
    logger: settings.logger,
    connectTimeoutMs: cliConnectTimeoutMs,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.app === undefined ? {} : { appName: options.app }),
  });
}

export async function withClient<T>(options: ConnectionOptions, body: (client: DBOSContext) => Promise<T>): Promise<T> {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const client = await connectClient(options, { poolSize: 2, logger: quiet });
  try {
    return await body(client);
  } finally {
    await shutdown(client, { timeoutMs: 0 });
  }
}

/** Resolves on the first Ctrl-C (SIGINT) or SIGTERM: the end of a command that serves until stopped. */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
}

/** createClient's options for --transaction-pooler and --listen-db (already checked by databaseUrl). */
function clientPoolerOptions({ pooler }: DatabaseUrl): { transactionPooler: boolean; listenUrl?: string } {
  return {
    transactionPooler: pooler.transactionPooler,
    ...(pooler.listenUrl === undefined ? {} : { listenUrl: pooler.listenUrl }),
  };
}
