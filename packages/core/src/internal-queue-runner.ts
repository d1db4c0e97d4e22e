// Runs what lands on DBOS's internal queue (resumed and forked workflows, from this process, a
// CLI or a DBOS client): woken at once by NOTIFY, with a poll as the fallback.
import { dequeueWorkflows, enqueuedChannel, internalQueueName } from "@durably/sysdb/queries";
import { BackgroundLoop } from "./background-loop.js";
import { resumeClaimedWorkflows } from "./resume-claimed-workflow.js";
import type { Runtime } from "./runtime.js";

const batchSize = 100;

/** Starts the loop; returns the function that stops it and waits for it to end. */
export function startInternalQueueRunner(runtime: Runtime): () => Promise<void> {
  const loop = new BackgroundLoop({
    logger: runtime.logger,
    failureMessage: "internal queue poll failed; will retry",
    intervalMs: () => runtime.config.pollIntervalMs,
    round: async () => {
      const me = runtime.executorIdentity();
      const names = [...runtime.registry.keys()];
      const claimed = await dequeueWorkflows(runtime.sysdb, {
        identity: me,
        queueName: internalQueueName,
        limit: batchSize,
        names,
      });
      await resumeClaimedWorkflows(runtime, claimed, "resumed");
      // A full batch: there may be more, so claim again at once.
      return claimed.length === batchSize ? 0 : undefined;
    },
  });
  const unsubscribe = runtime.sysdb.listener.subscribe(enqueuedChannel, (queue) => {
    if (queue === internalQueueName) loop.wake();
  });
  const unReconnect = runtime.sysdb.listener.onReconnect(() => loop.wake());
  loop.start();
  return async () => {
    unsubscribe();
    unReconnect();
    await loop.stop();
  };
}
