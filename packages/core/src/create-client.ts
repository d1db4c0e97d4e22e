// createClient: a context for programs that manage and talk to workflows without running any.
import { checkOptions, DurablyError, latestMigrationVersion, openSystemDatabase } from "@durably/sysdb";
import { GroupCommit } from "./group-commit.js";
import { logConnectRetry } from "./log-connect-retry.js";
import { configRules, resolveConfig, type DBOSConfig } from "./config.js";
import { DBOSContext } from "./dbos-context.js";
import { Notifier } from "./notifier.js";
import { Runtime } from "./runtime.js";

export interface ClientConfig extends Omit<DBOSConfig, "appName" | "executorId" | "pollIntervalMs"> {
  /**
   * The application whose workflows, queues and schedules this client works with. Without it the
   * client sees every application's workflows and enqueues unclaimed work (any app may run it).
   */
  readonly appName?: string;
}

/**
 * Connects a client: it can enqueue workflows by name, retrieve and await them, list, cancel,
 * resume and fork them, and (with the add-on packages) send messages, read events and streams,
 * and manage queues and schedules. It runs no workflow code, migrates nothing and recovers
 * nothing. Close it with `shutdown(client)`.
 *
 * @example
 * const client = await createClient({ systemDatabaseUrl: process.env.DBOS_SYSTEM_DATABASE_URL });
 * const handle = await enqueueWorkflow<typeof checkout>(client, "checkout", "order-42", { queue: "orders" });
 */
export async function createClient(config: ClientConfig = {}): Promise<DBOSContext> {
  const { executorId: _executor, pollIntervalMs: _poll, ...clientRules } = configRules;
  checkOptions("createClient", config, clientRules, "INVALID_CONFIG");
  const resolved = resolveConfig({ ...config, appName: config.appName ?? "" }, process.env, true);
  const runtime = new Runtime(resolved);
  const sysdb = openSystemDatabase({
    url: resolved.systemDatabaseUrl,
    schema: resolved.schema,
    poolSize: resolved.poolSize,
    urlName: resolved.systemDatabaseUrlName,
    connectTimeoutMs: resolved.connectTimeoutMs,
    onConnectRetry: logConnectRetry(resolved.logger),
    applicationName: `durably-client${config.appName ? `-${config.appName}` : ""}`.slice(0, 63),
    onBackgroundError: (error) => resolved.logger.warn("system database listener", { error }),
    ...(resolved.onQuery === undefined ? {} : { onQuery: resolved.onQuery }),
  });
  try {
    await sysdb.connect();
    const [row] = await sysdb.sql`
      select exists (select 1 from pg_catalog.pg_tables where schemaname = ${sysdb.schema} and tablename = 'durably_migrations') as migrated`;
    if (row?.migrated !== true) {
      throw new DurablyError(
        "MIGRATION_REFUSED",
        `The system database ${sysdb.location} has no durably schema ${sysdb.quotedSchema} (latest version ${latestMigrationVersion}). ` +
          "Launch a worker once, or run `durably migrate`, before using a client.",
      );
    }
    runtime.attach(sysdb, new GroupCommit(sysdb, resolved.logger, runtime.shutdownSignal), new Notifier(sysdb, resolved.logger), resolved.applicationVersion ?? "");
    await sysdb.listener.start();
  } catch (error) {
    await sysdb.close().catch(() => undefined);
    throw error;
  }
  runtime.state = "launched";
  return new DBOSContext(runtime);
}
