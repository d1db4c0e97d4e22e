// Scenario 4: one caller enqueues 3-step workflows on a queue served in the same process
// (worker concurrency 100); the enqueue rate, the end-to-end rate (first enqueue to the last
// workflow's third step) and the enqueue-to-start latency (enqueue call to step 1).
import { startCpuMeter } from "../cpu-meter.js";
import { percentile } from "../sample-stats.js";
import type { Scenario } from "./scenario.js";

export const queue: Scenario = async ({ open, sizes }) => {
  let enqueuedAt: number[] = [];
  let startedAt: number[] = [];
  let done = 0;
  let allDone = () => undefined as void;
  const library = await open({
    queue: {
      workerConcurrency: sizes.queueConcurrency,
      onStart: (i) => void (startedAt[i] ??= performance.now()),
      onDone: () => void (++done === enqueuedAt.length && allDone()),
    },
  });
  await library.launch();
  const batch = async (n: number) => {
    enqueuedAt = new Array<number>(n);
    startedAt = new Array<number>(n);
    done = 0;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      enqueuedAt[i] = performance.now();
      await library.enqueue(i);
    }
    const enqueueSeconds = (performance.now() - started) / 1000;
    await finished;
    const totalSeconds = (performance.now() - started) / 1000;
    const latencies = startedAt.map((t, i) => t - enqueuedAt[i]!);
    return { enqueueSeconds, totalSeconds, latencies };
  };
  try {
    await batch(sizes.queueWarmup);
    const stopMeter = startCpuMeter();
    const n = sizes.queue;
    const { enqueueSeconds, totalSeconds, latencies } = await batch(n);
    return {
      metrics: {
        enqueuesPerSec: n / enqueueSeconds,
        workflowsPerSec: n / totalSeconds,
        enqueueToStartP50Ms: percentile(latencies, 50),
        enqueueToStartP99Ms: percentile(latencies, 99),
        workflows: n,
        workerConcurrency: sizes.queueConcurrency,
        ...stopMeter(),
      },
    };
  } finally {
    await library.shutdown();
  }
};
