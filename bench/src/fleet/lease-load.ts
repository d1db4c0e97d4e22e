// The lease's load on the database: `processes` idle durably processes (default lease settings)
// on one server, each counting the statements it sends over a window while all of them are live.
import { spawnFleetWorker, type FleetEvent, type FleetWorker } from "./spawn-fleet-worker.js";

export interface LeaseLoadOptions {
  readonly url: string;
  readonly processes: number;
  readonly windowMs: number;
  readonly say: (line: string) => void;
}

export interface LeaseLoadResult {
  readonly processes: number;
  /** Statements per second per process that touch the lease table (renewals, adoption). */
  readonly leasePerSecond: { readonly mean: number; readonly max: number };
  /** Every statement an idle process sends per second (lease plus the internal queue's poll). */
  readonly allPerSecond: { readonly mean: number; readonly max: number };
}

export async function measureLeaseLoad(options: LeaseLoadOptions): Promise<LeaseLoadResult> {
  const workers: FleetWorker[] = [];
  const counts: Array<Extract<FleetEvent, { type: "statements" }>> = [];
  try {
    // A few at a time: fifty launches at once on a small machine only measure the stampede.
    for (let i = 0; i < options.processes; i += 5) {
      const batch = Array.from({ length: Math.min(5, options.processes - i) }, () =>
        spawnFleetWorker({ url: options.url, role: "idle", poolSize: 2 }, (event) => {
          if (event.type === "statements") counts.push(event);
        }),
      );
      workers.push(...batch);
      await Promise.all(batch.map((w) => w.ready));
    }
    options.say(`  ${workers.length} processes live; counting for ${options.windowMs / 1000} s`);
    for (const w of workers) w.command("start");
    await new Promise((resolve) => setTimeout(resolve, options.windowMs));
    for (const w of workers) w.command("stop");
    const deadline = Date.now() + 10_000;
    while (counts.length < workers.length && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    await Promise.all(workers.map((w) => w.kill()));
  }
  if (counts.length < options.processes)
    throw new Error(`only ${counts.length} of ${options.processes} processes reported their statements`);
  const lease = counts.map((c) => c.leaseStatements / c.seconds);
  const all = counts.map((c) => c.total / c.seconds);
  const summary = (xs: number[]) => ({ mean: xs.reduce((a, b) => a + b, 0) / xs.length, max: Math.max(...xs) });
  return { processes: counts.length, leasePerSecond: summary(lease), allPerSecond: summary(all) };
}
