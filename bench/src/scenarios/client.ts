// Scenario 5: a client in a separate process. This worker process is the client: it starts a
// second worker process (`client-server`) that serves the bench queue exactly as scenario 4
// configures it, waits until that one has launched, then connects the library's own client and
// runs N round trips one at a time: enqueue by workflow name, then await the result. Latency per
// round trip (enqueue call to result in hand), p50/p99, and round trips per second.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { openBenchClient } from "../libraries/bench-client.js";
import { percentile } from "../sample-stats.js";
import { readyLine, resultPrefix, type WorkerInput } from "../worker-protocol.js";
import type { Scenario } from "./scenario.js";

const benchDir = fileURLToPath(new URL("../..", import.meta.url));
const workerPath = fileURLToPath(new URL("../worker.ts", import.meta.url));

/** The queue worker: serves the bench queue until its stdin closes, then shuts down. */
export const clientServer: Scenario = async ({ open, sizes, ready, executorId }) => {
  const library = await open({
    // Set by the scale-out scenario, which runs several of these at once.
    ...(executorId === undefined ? {} : { executorId }),
    queue: { workerConcurrency: sizes.queueConcurrency, onStart: () => undefined, onDone: () => undefined },
  });
  await library.launch();
  try {
    const stdinClosed = new Promise<void>((resolve) => {
      process.stdin.on("end", resolve).on("close", resolve).resume();
    });
    ready();
    await stdinClosed;
  } finally {
    await library.shutdown();
  }
  return { metrics: {} };
};

export const clientRoundTrip: Scenario = async ({ library: name, sizes, url }) => {
  const server = await startQueueWorker(name, { url, sizes });
  try {
    const client = await openBenchClient(name, url);
    try {
      const roundTrips = async (from: number, n: number) => {
        const latencies: number[] = [];
        const enqueueCalls: number[] = [];
        const started = performance.now();
        for (let i = from; i < from + n; i++) {
          const t0 = performance.now();
          const result = await client.enqueue(i);
          const t1 = performance.now();
          const output = await Promise.race([result(), server.failed]);
          latencies.push(performance.now() - t0);
          enqueueCalls.push(t1 - t0);
          if (output !== i + 3)
            throw new Error(`round trip ${i}: expected result ${i + 3}, got ${JSON.stringify(output)}`);
        }
        return { latencies, enqueueCalls, seconds: (performance.now() - started) / 1000 };
      };
      await roundTrips(0, sizes.clientWarmup);
      const n = sizes.client;
      const { latencies, enqueueCalls, seconds } = await roundTrips(sizes.clientWarmup, n);
      return {
        metrics: {
          roundTripP50Ms: percentile(latencies, 50),
          roundTripP99Ms: percentile(latencies, 99),
          roundTripsPerSec: n / seconds,
          enqueueCallP50Ms: percentile(enqueueCalls, 50),
          workflows: n,
        },
      };
    } finally {
      await client.close();
    }
  } finally {
    await server.stop();
  }
};

export interface QueueWorker {
  /** Rejects if the queue worker dies before it is told to stop. */
  readonly failed: Promise<never>;
  /** Closes its stdin and waits for its clean exit (its BENCH_RESULT line). */
  stop(): Promise<void>;
}

/** Starts `worker.ts <library> client-server` and resolves once it printed BENCH_READY. */
export function startQueueWorker(name: string, input: WorkerInput): Promise<QueueWorker> {
  const child = spawn(process.execPath, ["--import", "tsx", workerPath, name, "client-server", JSON.stringify(input)], {
    cwd: benchDir,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  let stderr = "";
  let stdout = "";
  let stopping = false;
  let finishedCleanly = false;
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.on("close", (code, signal) => {
      if (!stopping || !finishedCleanly) {
        reject(
          new Error(
            `the ${name} queue worker ended ` +
              `(${signal ?? `exit code ${code}`})${stopping ? " without a clean shutdown" : " early"}` +
              `\n${stderr.trim()}`,
          ),
        );
      }
    });
  });
  failed.catch(() => undefined);
  return new Promise((resolve, reject) => {
    failed.catch(reject);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      let newline: number;
      while ((newline = stdout.indexOf("\n")) >= 0) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        if (line.startsWith(resultPrefix)) finishedCleanly = true;
        else if (line === readyLine) {
          resolve({
            failed,
            async stop() {
              stopping = true;
              child.stdin.end();
              const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
              await exited;
              clearTimeout(killer);
              await Promise.race([failed, Promise.resolve()]);
            },
          });
        }
      }
    });
  });
}
