// Scenario 3: one workflow of many steps; the time per step early on and at the end, which must
// not grow with the workflow's history, and the heap in use at step 10 and at the last step.
import { getHeapStatistics } from "node:v8";
import { median } from "../sample-stats.js";
import { startCpuMeter } from "../cpu-meter.js";
import type { Scenario } from "./scenario.js";

/** Steps of the unmeasured workflow run first, so neither library is measured while its code is still cold. */
const warmupSteps = 100;

export const longWorkflow: Scenario = async ({ open, sizes }) => {
  let stamps: number[] = [];
  // Read at two steps only: the heap's size after whatever the collector last left, so a trend
  // over thousands of steps shows, one step's garbage does not.
  let heapAt: (i: number) => void = () => undefined;
  const heap = new Map<number, number>();
  const library = await open({
    onLongWorkflowStep: (i) => {
      stamps[i] = performance.now();
      heapAt(i);
    },
  });
  await library.launch();
  try {
    await library.runLongWorkflow(Math.min(warmupSteps, sizes.longSteps));
    stamps = new Array<number>(sizes.longSteps);
    const last = sizes.longSteps - 1;
    heapAt = (i) => void ((i === 9 || i === last) && heap.set(i, getHeapStatistics().used_heap_size));
    const stopMeter = startCpuMeter();
    const started = performance.now();
    await library.runLongWorkflow(sizes.longSteps);
    const totalMs = performance.now() - started;
    const cpu = stopMeter();
    // gaps[i]: from the start of step i+1 to the start of step i+2 (1-based), i.e. step i+1's
    // checkpoint plus getting to the next step.
    const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!);
    const n = sizes.longSteps;
    return {
      metrics: {
        msPerStepEarly: median(gaps.slice(5, 15)), // steps 6-15: around step 10
        msPerStepLate: median(gaps.slice(n - 11, n - 1)), // the last 10 gaps: around the last step
        msPerStepMean: totalMs / n,
        heapMiBAtStep10: (heap.get(9) ?? Number.NaN) / 2 ** 20,
        heapMiBAtLastStep: (heap.get(n - 1) ?? Number.NaN) / 2 ** 20,
        // What each step past the tenth left on the heap (KiB), if the heap grew.
        heapKiBPerStep: ((heap.get(n - 1) ?? Number.NaN) - (heap.get(9) ?? Number.NaN)) / 1024 / Math.max(1, n - 10),
        steps: n,
        ...cpu,
      },
    };
  } finally {
    await library.shutdown();
  }
};
