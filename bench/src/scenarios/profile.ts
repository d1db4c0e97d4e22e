// --profile: where the time of one sequential 3-step workflow and of one client round trip
// (enqueue, then the result from a queue worker in another process) goes, from durably's own
// diagnostics channels: statement round trips, serialization, notification waits, and the rest.
import { openBenchClient } from "../libraries/bench-client.js";
import { breakDown, type Breakdown } from "../profile/phase-breakdown.js";
import { startPhaseRecorder, type PhaseRecorder } from "../profile/phase-recorder.js";
import { summarize } from "../profile/profile-summary.js";
import { percentile } from "../sample-stats.js";
import { startQueueWorker } from "./client.js";
import type { Scenario } from "./scenario.js";

const warmup = 30;

function measure(recorder: PhaseRecorder, start: number, end: number): Breakdown {
  const breakdown = breakDown({ start, end }, recorder.statements, recorder.serializations, recorder.notifications);
  recorder.clear();
  return breakdown;
}

/** One sequential 3-step workflow at a time, from runWorkflow to its result in hand. */
export const profileSequential: Scenario = async ({ library: name, open, sizes }) => {
  if (name !== "durably") throw new Error("--profile reads durably's diagnostics channels: durably only");
  const library = await open();
  await library.launch();
  const recorder = startPhaseRecorder();
  try {
    for (let i = 0; i < warmup; i++) await library.runThreeSteps(i);
    recorder.clear();
    const breakdowns: Breakdown[] = [];
    for (let i = 0; i < sizes.sequential; i++) {
      const start = performance.now();
      await library.runThreeSteps(i);
      breakdowns.push(measure(recorder, start, performance.now()));
    }
    const table = summarize("sequential 3-step workflow (runWorkflow → getResult)", breakdowns);
    return { metrics: { p50Ms: table.p50TotalMs, samples: table.samples }, details: { profile: [table] } };
  } finally {
    recorder.stop();
    await library.shutdown();
  }
};

/** One client round trip at a time: the enqueue call, and enqueue → result. */
export const profileClient: Scenario = async ({ library: name, sizes, url }) => {
  if (name !== "durably") throw new Error("--profile reads durably's diagnostics channels: durably only");
  const server = await startQueueWorker(name, { url, sizes });
  const recorder = startPhaseRecorder();
  try {
    const client = await openBenchClient(name, url);
    try {
      for (let i = 0; i < 10; i++) await (await client.enqueue(i))();
      recorder.clear();
      const enqueues: Breakdown[] = [];
      const roundTrips: Breakdown[] = [];
      const n = Math.min(sizes.client, 200);
      for (let i = 0; i < n; i++) {
        const start = performance.now();
        const result = await client.enqueue(i);
        const enqueued = performance.now();
        await Promise.race([result(), server.failed]);
        const end = performance.now();
        const events = {
          statements: [...recorder.statements],
          serializations: [...recorder.serializations],
          notifications: [...recorder.notifications],
        };
        enqueues.push(breakDown({ start, end: enqueued }, events.statements, events.serializations, []));
        roundTrips.push(measure(recorder, start, end));
      }
      const enqueue = summarize("client enqueue call (enqueueWorkflow)", enqueues);
      const roundTrip = summarize("client round trip (enqueue → getResult, worker in another process)", roundTrips);
      return {
        metrics: {
          enqueueP50Ms: enqueue.p50TotalMs,
          roundTripP50Ms: roundTrip.p50TotalMs,
          roundTripP99Ms: percentile(
            roundTrips.map((b) => b.totalMs),
            99,
          ),
        },
        details: { profile: [enqueue, roundTrip] },
      };
    } finally {
      await client.close();
    }
  } finally {
    recorder.stop();
    await server.stop();
  }
};
