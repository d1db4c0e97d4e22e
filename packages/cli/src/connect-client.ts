// Every command that reads or changes workflows opens one client and always closes it.
import { createClient, shutdown, type DBOSContext } from "@durably/core";
import { usage } from "./cli-failure.js";

export interface ConnectionOptions {
  readonly db?: string;
  readonly schema?: string;
  readonly app?: string;
}

/** The system database URL from --db, else DBOS_SYSTEM_DATABASE_URL; a usage error if neither. */
export function databaseUrl(options: ConnectionOptions): string {
  const url = options.db ?? process.env.DBOS_SYSTEM_DATABASE_URL;
  if (url === undefined || url === "") {
    throw usage("No system database: pass --db postgres://user@host:5432/database or set DBOS_SYSTEM_DATABASE_URL.");
  }
  return url;
}

export async function withClient<T>(options: ConnectionOptions, body: (client: DBOSContext) => Promise<T>): Promise<T> {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const client = await createClient({
    systemDatabaseUrl: databaseUrl(options),
    poolSize: 2,
    logger: quiet,
    connectTimeoutMs: 5_000,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.app === undefined ? {} : { appName: options.app }),
  });
  try {
    return await body(client);
  } finally {
    await shutdown(client, { timeoutMs: 0 });
  }
}
