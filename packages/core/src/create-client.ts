// createClient: a context for programs that manage and talk to workflows without running any.
import { checkOptions, requireMigrated } from "@durably/sysdb";
import { startResultWake } from "./result-wake.js";
import { GroupCommit } from "./group-commit.js";
import { openConfiguredDatabase } from "./open-configured-database.js";
import { configRules, resolveConfig, type DBOSConfig } from "./config.js";
import { DBOSContext } from "./dbos-context.js";
import { Notifier } from "./notifier.js";
import { Runtime } from "./runtime.js";

/** Options of a worker that a client, which holds no lease and runs nothing, refuses rather than ignores. */
type WorkerOnlyOption =
  | "executorId"
  | "pollIntervalMs"
  | "leaseRenewMs"
  | "leaseLapseMs"
  | "compatibleVersions"
  | "upgradeStrandedVersions";

export interface ClientConfig extends Omit<DBOSConfig, "appName" | WorkerOnlyOption> {
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
  const { executorId: _e, pollIntervalMs: _p, leaseRenewMs: _r, leaseLapseMs: _l, ...rest } = configRules;
  const { compatibleVersions: _c, upgradeStrandedVersions: _u, ...clientRules } = rest;
  checkOptions("createClient", config, clientRules, "INVALID_CONFIG");
  const resolved = resolveConfig({ ...config, appName: config.appName ?? "" }, process.env, true);
  const runtime = new Runtime(resolved);
  const sysdb = openConfiguredDatabase(resolved, `durably-client${config.appName ? `-${config.appName}` : ""}`);
  try {
    await sysdb.connect();
    await requireMigrated(sysdb);
    runtime.attach(
      sysdb,
      new GroupCommit(sysdb, resolved.logger, runtime.shutdownSignal),
      new Notifier(sysdb, resolved.logger),
      resolved.applicationVersion ?? "",
    );
    runtime.stoppers.push(startResultWake(runtime));
    await sysdb.listener.start();
  } catch (error) {
    await sysdb.close().catch(() => undefined);
    throw error;
  }
  runtime.state = "launched";
  return new DBOSContext(runtime);
}
