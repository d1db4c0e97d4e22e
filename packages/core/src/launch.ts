// launch: connect, migrate, start the listener and background loops, and recover this
// executor's unfinished workflows.
import { DurablyError, ensureDatabaseExists, migrateSystemDatabase } from "@durably/sysdb";
import { claimWorkflowsForRecovery, recordApplicationVersion } from "@durably/sysdb/queries";
import { computeApplicationVersion } from "./application-version.js";
import { startCancellationWatcher } from "./cancellation-watcher.js";
import { startResultWake } from "./result-wake.js";
import { GroupCommit } from "./group-commit.js";
import { Notifier } from "./notifier.js";
import { withDatabaseRetry } from "./database-retry.js";
import { DBOSContext } from "./dbos-context.js";
import { ExecutorLease } from "./executor-lease.js";
import { startInternalQueueRunner } from "./internal-queue-runner.js";
import { connectOptions, openConfiguredDatabase } from "./open-configured-database.js";
import { resumeClaimedWorkflows } from "./resume-claimed-workflow.js";
import { upgradeStrandedVersions, warnAboutStrandedVersions } from "./stranded-versions.js";

/**
 * Launches a context: creates and migrates the system database if needed, starts listening,
 * resumes this executor's PENDING workflows of the versions it serves (its own and its
 * compatibleVersions), and warns about workflows of versions no live worker serves. A failed launch
 * closes everything it opened; create a new context to try again.
 *
 * @example
 * await launch(dbos);
 */
export async function launch(ctx: DBOSContext): Promise<void> {
  if (!(ctx instanceof DBOSContext) || ctx.run !== undefined) {
    throw new DurablyError("INVALID_ARGUMENT", "launch takes the root context returned by createDBOSContext.");
  }
  const runtime = ctx.runtime;
  if (runtime.state !== "created") {
    throw new DurablyError("LIFECYCLE", `launch was already called on this context (it is ${runtime.state}).`);
  }
  runtime.state = "launching";
  const { config, logger } = runtime;
  const sysdb = openConfiguredDatabase(config, `durably-${config.appName}`);
  try {
    await ensureDatabaseExists(config.systemDatabaseUrl, connectOptions(config));
    await sysdb.connect();
    // A migration may rightly run for long on a big database: no per-attempt deadline.
    await withDatabaseRetry("migrate the system database", () => migrateSystemDatabase(sysdb), {
      logger,
      attemptTimeoutMs: Infinity,
    });
    const version = config.applicationVersion ?? computeApplicationVersion(runtime.registry);
    runtime.attach(
      sysdb,
      new GroupCommit(sysdb, logger, runtime.shutdownSignal, {
        onBatch: (size) => runtime.instrumentation?.event?.({ kind: "checkpoint-batch", size }),
      }),
      new Notifier(sysdb, logger),
      version,
    );
    runtime.stoppers.push(startCancellationWatcher(runtime));
    runtime.stoppers.push(startResultWake(runtime));
    // Each step below is idempotent, so a connection lost meanwhile (a server restart) is retried.
    const retry = { logger, signal: runtime.shutdownSignal };
    await withDatabaseRetry("start listening for notifications", () => sysdb.listener.start(), retry);
    const owner = await withDatabaseRetry(
      "record the application version",
      () => recordApplicationVersion(sysdb, config.appName, version, runtime.now()),
      retry,
    );
    if (owner !== config.appName) {
      // DBOS's launch refuses this; durably runs, but DBOS's tools do not list the version as this app's.
      logger.warn(
        `Application version ${version} is already registered by application ${owner ?? "(none)"}: ` +
          "version names are unique across the applications of a system database, " +
          `and DBOS refuses to launch ${config.appName} with it. ` +
          "Set a distinct applicationVersion.",
        { appName: config.appName, applicationVersion: version, owner },
      );
    }
    // Before anything claims or starts a workflow: every owner token names this lease.
    const lease = new ExecutorLease(runtime);
    await lease.register();
    runtime.lease = lease;
    for (const extension of runtime.extensions) await extension.onLaunch?.(ctx);
    runtime.state = "launched";

    const recovered = await withDatabaseRetry(
      "claim this executor's pending workflows",
      () => claimWorkflowsForRecovery(sysdb, runtime.executorIdentity()),
      retry,
    );
    if (recovered.length > 0)
      logger.info("recovering workflows", { count: recovered.length, executorID: config.executorId });
    await resumeClaimedWorkflows(runtime, recovered, "recovered");
    if (config.upgradeStrandedVersions) {
      await withDatabaseRetry("upgrade stranded workflows", () => upgradeStrandedVersions(runtime), retry);
    }
    await warnAboutStrandedVersions(runtime);
    for (const extension of runtime.extensions) await extension.onRecovered?.(ctx);
    lease.start();
    runtime.stoppers.push(startInternalQueueRunner(runtime));
    logger.info("launched", { appName: config.appName, applicationVersion: version, executorID: config.executorId });
  } catch (error) {
    runtime.state = "shut-down";
    runtime.beginShutdown();
    for (const stop of runtime.stoppers.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    await runtime.lease?.release().catch(() => undefined);
    await sysdb.close().catch(() => undefined);
    throw error;
  }
}
