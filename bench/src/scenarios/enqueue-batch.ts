// Scenario 4, batched: one caller enqueues 5 × the queue size in batches of 1,000 through the
// library's client, nobody serving the queue: the rate of the enqueue alone. durably writes each
// batch with enqueueMany (one statement); DBOS 5.3.0 has no batch enqueue, so its client
// enqueues each batch's items concurrently (its best effort at the same job).
import { startCpuMeter } from "../cpu-meter.js";
import { openBenchClient } from "../libraries/bench-client.js";
import { spawnWorker } from "../spawn-worker.js";
import type { Scenario } from "./scenario.js";

/** Items per batch. */
export const enqueueBatchSize = 1_000;

export const enqueueBatch: Scenario = async ({ library: name, sizes, url }) => {
  const n = sizes.queue * 5;
  const prepared = await spawnWorker({
    library: name,
    scenario: "prepare-database",
    input: { url, sizes },
    timeoutMs: 60_000,
  });
  if (!prepared.ok) throw new Error(`prepare-database for ${name} failed: ${prepared.error}`);
  const client = await openBenchClient(name, url);
  try {
    const run = async (from: number, count: number) => {
      for (let at = from; at < from + count; at += enqueueBatchSize) {
        const size = Math.min(enqueueBatchSize, from + count - at);
        await client.enqueueBatch(Array.from({ length: size }, (_, k) => at + k));
      }
    };
    await run(0, Math.min(enqueueBatchSize, n)); // warm-up: connections, prepared statements
    const stopMeter = startCpuMeter();
    const started = performance.now();
    await run(n, n);
    const seconds = (performance.now() - started) / 1000;
    return {
      metrics: { batchEnqueuesPerSec: n / seconds, workflows: n, batchSize: enqueueBatchSize, ...stopMeter() },
    };
  } finally {
    await client.close();
  }
};
