// Stops local runs whose workflow was cancelled or taken elsewhere: at once when durably's NOTIFY
// arrives, and by a periodic check that also catches changes made by DBOS clients or plain SQL.
import { cancelChannel, getStatuses } from "@durably/sysdb/queries";
import { BackgroundLoop } from "./background-loop.js";
import type { Runtime } from "./runtime.js";

/** Starts watching; returns the function that stops it. */
export function startCancellationWatcher(runtime: Runtime): () => Promise<void> {
  const unsubscribe = runtime.sysdb.listener.subscribe(cancelChannel, (workflowID) => {
    runtime.active.get(workflowID)?.run.stop("cancelled");
  });
  const sweep = async () => {
    if (runtime.active.size === 0) return;
    const statuses = await getStatuses(runtime.sysdb, [...runtime.active.keys()]);
    for (const [workflowID, { run }] of runtime.active) {
      const now = statuses.get(workflowID);
      if (now === undefined) continue;
      if (now.status === "CANCELLED") run.stop("cancelled");
      else if (now.status !== "PENDING" || now.ownerXid !== run.ownerXid) {
        runtime.logger.debug("workflow changed hands; stopping the local run", {
          workflowID,
          status: now.status,
          owner: now.ownerXid,
          ours: run.ownerXid,
        });
        run.stop("lost-ownership");
      }
    }
  };
  // Notifications sent while the listener was down are lost: look at the rows instead.
  const unReconnect = runtime.sysdb.listener.onReconnect(() => void sweep().catch(() => undefined));
  const loop = new BackgroundLoop({
    logger: runtime.logger,
    failureMessage: "cancellation check failed; will retry",
    intervalMs: () => runtime.config.pollIntervalMs,
    waitFirst: true,
    round: sweep,
  });
  loop.start();
  return async () => {
    unsubscribe();
    unReconnect();
    await loop.stop();
  };
}
