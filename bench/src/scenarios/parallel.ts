// Scenario 2: many 3-step workflows with a fixed number in flight in one process; throughput.
import { startCpuMeter } from "../cpu-meter.js";
import type { Scenario } from "./scenario.js";

export const parallel: Scenario = async ({ open, sizes }) => {
  const library = await open();
  await library.launch();
  try {
    await inFlight(sizes.parallelWarmup, sizes.inFlight, (i) => library.runThreeSteps(i));
    const stopMeter = startCpuMeter();
    const started = performance.now();
    await inFlight(sizes.parallel, sizes.inFlight, (i) => library.runThreeSteps(i));
    const seconds = (performance.now() - started) / 1000;
    const cpu = stopMeter();
    return {
      metrics: {
        workflowsPerSec: sizes.parallel / seconds,
        stepsPerSec: (3 * sizes.parallel) / seconds,
        elapsedMs: seconds * 1000,
        workflows: sizes.parallel,
        inFlight: sizes.inFlight,
        ...cpu,
      },
    };
  } finally {
    await library.shutdown();
  }
};

/** Runs `run(0..total-1)` with at most `limit` calls pending at any time. */
async function inFlight(total: number, limit: number, run: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < total) await run(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, total) }, lane));
}
