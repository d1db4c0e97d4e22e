// Scenario 1: 3-step workflows one after another; latency from start to result.
import { mean, percentile } from "../sample-stats.js";
import { startCpuMeter } from "../cpu-meter.js";
import type { Scenario } from "./scenario.js";

export const sequential: Scenario = async ({ open, sizes }) => {
  const library = await open();
  await library.launch();
  try {
    for (let i = 0; i < sizes.sequentialWarmup; i++) await library.runThreeSteps(i);
    const latencies: number[] = [];
    const stopMeter = startCpuMeter();
    for (let i = 0; i < sizes.sequential; i++) {
      const started = performance.now();
      await library.runThreeSteps(i);
      latencies.push(performance.now() - started);
    }
    const cpu = stopMeter();
    return {
      metrics: {
        p50Ms: percentile(latencies, 50),
        p95Ms: percentile(latencies, 95),
        p99Ms: percentile(latencies, 99),
        meanMs: mean(latencies),
        workflows: latencies.length,
        ...cpu,
      },
    };
  } finally {
    await library.shutdown();
  }
};
