// Runs what lands on DBOS's internal queue (resumed and forked workflows, from this process, a
// CLI or a DBOS client): woken at once by NOTIFY, with a poll as the fallback.
import { dequeueWorkflows, enqueuedChannel, internalQueueName } from "@durably/sysdb";
import { abortableDelay } from "./abortable-delay.js";
import { resumeClaimedWorkflows } from "./resume-claimed-workflow.js";
import type { Runtime } from "./runtime.js";

const batchSize = 100;

/** Starts the loop; returns the function that stops it and waits for it to end. */
export function startInternalQueueRunner(runtime: Runtime): () => Promise<void> {
  const stop = new AbortController();
  let wake = new AbortController();
  const poke = () => wake.abort();
  const unsubscribe = runtime.sysdb.listener.subscribe(enqueuedChannel, (queue) => {
    if (queue === internalQueueName) poke();
  });
  const unReconnect = runtime.sysdb.listener.onReconnect(poke);
  const loop = (async () => {
    while (!stop.signal.aborted) {
      let full = false;
      try {
        const me = {
          executorID: runtime.config.executorId,
          applicationVersion: runtime.applicationVersion,
          applicationName: runtime.config.appName,
          now: runtime.now(),
        };
        const claimed = await dequeueWorkflows(runtime.sysdb, me, internalQueueName, batchSize, { names: [...runtime.registry.keys()] });
        full = claimed.length === batchSize;
        await resumeClaimedWorkflows(runtime, claimed);
      } catch (error) {
        if (!stop.signal.aborted) runtime.logger.warn("internal queue poll failed; will retry", { error });
      }
      if (full || stop.signal.aborted) continue;
      const waiting = AbortSignal.any([wake.signal, stop.signal]);
      await abortableDelay(runtime.config.pollIntervalMs, waiting).catch(() => undefined);
      wake = new AbortController();
    }
  })();
  return async () => {
    stop.abort();
    unsubscribe();
    unReconnect();
    await loop;
  };
}
