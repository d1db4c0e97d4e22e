// The one way launch and createClient open the system database from a resolved configuration.
import { openSystemDatabase, type EnsureDatabaseOptions, type SystemDatabase } from "@durably/sysdb";
import type { ResolvedConfig } from "./config.js";
import { logConnectRetry } from "./log-connect-retry.js";

/** How to wait for the server: a refusal for a while (a restart during a deploy) is waited out, logged per attempt. */
export function connectOptions(config: ResolvedConfig): EnsureDatabaseOptions {
  return {
    urlName: config.systemDatabaseUrlName,
    connectTimeoutMs: config.connectTimeoutMs,
    onConnectRetry: logConnectRetry(config.logger),
  };
}

/** Opens (does not connect) the system database; `applicationName` is shown in pg_stat_activity. */
export function openConfiguredDatabase(config: ResolvedConfig, applicationName: string): SystemDatabase {
  return openSystemDatabase({
    url: config.systemDatabaseUrl,
    ...connectOptions(config),
    schema: config.schema,
    poolSize: config.poolSize,
    applicationName: applicationName.slice(0, 63),
    onBackgroundError: (error) => config.logger.warn("system database listener", { error }),
    transactionPooler: config.transactionPooler,
    ...(config.listenUrl === undefined ? {} : { listenUrl: config.listenUrl, listenUrlName: config.listenUrlName }),
    onListenDeaf: (reason) =>
      config.logger.warn(
        "notifications do not reach this process; polling the database instead (set listenUrl or " +
          "DURABLY_LISTEN_DATABASE_URL to a direct connection for prompt wake-ups)",
        { reason },
      ),
    ...(config.onQuery === undefined ? {} : { onQuery: config.onQuery }),
  });
}
