// Scenario 4, drained: a backlog of 3-step workflows already waiting on the queue (enqueued by
// the library's own client before any worker runs), then one worker process at concurrency 100
// launches and works through it. Its rate is the queue's; scenario 4's end-to-end rate is set by
// its one caller's enqueue round trips instead.
import { startCpuMeter } from "../cpu-meter.js";
import { openBenchClient } from "../libraries/bench-client.js";
import { spawnWorker } from "../spawn-worker.js";
import type { Scenario } from "./scenario.js";

/** Enqueues at a time while the backlog is set up (not measured). */
const setupCallers = 20;

/** Launches and shuts down the library once, so that its client finds a migrated database. */
export const prepareDatabase: Scenario = async ({ open }) => {
  const library = await open();
  await library.launch();
  await library.shutdown();
  return { metrics: {} };
};

export const queueDrain: Scenario = async ({ library: name, open, sizes, url }) => {
  const n = sizes.queue;
  // In another process: DBOS is a singleton that launches once per process.
  const prepared = await spawnWorker({
    library: name,
    scenario: "prepare-database",
    input: { url, sizes },
    timeoutMs: 60_000,
  });
  if (!prepared.ok) throw new Error(`prepare-database for ${name} failed: ${prepared.error}`);
  const client = await openBenchClient(name, url);
  try {
    for (let from = 0; from < n; from += setupCallers) {
      const batch = Array.from({ length: Math.min(setupCallers, n - from) }, (_, k) => client.enqueue(from + k));
      await Promise.all(batch);
    }
  } finally {
    await client.close();
  }
  let done = 0;
  let allDone = () => undefined as void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const library = await open({
    queue: {
      workerConcurrency: sizes.queueConcurrency,
      onStart: () => undefined,
      onDone: () => void (++done === n && allDone()),
    },
  });
  const stopMeter = startCpuMeter();
  const started = performance.now();
  await library.launch();
  try {
    await finished;
    const seconds = (performance.now() - started) / 1000;
    return {
      metrics: {
        drainWorkflowsPerSec: n / seconds,
        drainSeconds: seconds,
        workflows: n,
        workerConcurrency: sizes.queueConcurrency,
        ...stopMeter(),
      },
    };
  } finally {
    await library.shutdown();
  }
};
