// Workflows of application versions that no live worker serves: reported at launch (never left
// silently), and moved to this worker's version where the user opted in (upgradeStrandedVersions).
import { countStrandedWorkflows, upgradeStrandedWorkflows } from "@durably/sysdb/queries";
import { withDatabaseRetry } from "./database-retry.js";
import type { Runtime } from "./runtime.js";

/** Logs a warning naming the versions no live worker serves and how many workflows wait on each. */
export async function warnAboutStrandedVersions(runtime: Runtime): Promise<void> {
  const { config, logger } = runtime;
  const stranded = await withDatabaseRetry(
    "count stranded workflows",
    () => countStrandedWorkflows(runtime.sysdb, config.appName),
    { logger, signal: runtime.shutdownSignal },
  );
  if (stranded.length === 0) return;
  const total = stranded.reduce((sum, v) => sum + v.pending + v.enqueued, 0);
  const versions = stranded.map((v) => v.applicationVersion);
  logger.warn(
    `${total} pending workflows of versions ${versions.join(", ")} ` +
      `are served by no live worker of ${config.appName}; ` +
      `this worker runs version ${runtime.applicationVersion}` +
      (config.compatibleVersions.length > 0 ? ` and ${config.compatibleVersions.join(", ")}` : "") +
      ". If this code replays their recorded steps (unchanged, or changed under patched()), list the versions in " +
      "compatibleVersions or set upgradeStrandedVersions: true; otherwise run a worker with their code, " +
      "or fork them onto this version from a step it can replay.",
    { appName: config.appName, applicationVersion: runtime.applicationVersion, stranded },
  );
}

/** Moves stranded workflows to this worker's version (upgradeStrandedVersions); they are then dequeued as usual. */
export async function upgradeStrandedVersions(runtime: Runtime): Promise<void> {
  const moved = await upgradeStrandedWorkflows(runtime.sysdb, {
    applicationName: runtime.config.appName,
    toVersion: runtime.applicationVersion,
    now: runtime.now(),
  });
  if (moved.length === 0) return;
  const fromVersions = [...new Set(moved.map((m) => m.fromVersion))];
  const message =
    `upgraded ${moved.length} workflows of versions ${fromVersions.join(", ")}, which no live worker served, ` +
    `to version ${runtime.applicationVersion} (upgradeStrandedVersions)`;
  runtime.logger.warn(message, {
    count: moved.length,
    fromVersions,
    toVersion: runtime.applicationVersion,
    workflowIDs: moved.slice(0, 20).map((m) => m.workflowID),
  });
}
