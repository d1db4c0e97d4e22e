// Scale-out: a backlog on the bench queue (enqueued by the library's client before any worker
// runs), drained by 1, then 2, then 4 worker processes on the one Postgres, each at the queue's
// worker concurrency. Each figure runs from spawning the workers to the backlog's last workflow
// finished, so it includes the processes' start (reported apart as readySeconds).
import postgres from "postgres";
import { openBenchClient } from "../libraries/bench-client.js";
import { benchQueueName } from "../libraries/library.js";
import { spawnWorker } from "../spawn-worker.js";
import { startQueueWorker } from "./client.js";
import type { Scenario } from "./scenario.js";

/** Worker process counts, in order. */
export const scaleOutProcesses = [1, 2, 4] as const;

export const scaleOut: Scenario = async ({ library: name, sizes, url }) => {
  const prepared = await spawnWorker({
    library: name,
    scenario: "prepare-database",
    input: { url, sizes },
    timeoutMs: 60_000,
  });
  if (!prepared.ok) throw new Error(`prepare-database for ${name} failed: ${prepared.error}`);
  const n = sizes.queue;
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  const metrics: Record<string, number> = { workflows: n };
  try {
    for (const processes of scaleOutProcesses) {
      const client = await openBenchClient(name, url);
      try {
        for (let at = 0; at < n; at += 1_000)
          await client.enqueueBatch(Array.from({ length: Math.min(1_000, n - at) }, (_, k) => at + k));
      } finally {
        await client.close();
      }
      const started = performance.now();
      const workers = await Promise.all(
        Array.from({ length: processes }, (_, k) =>
          startQueueWorker(name, { url, sizes, executorId: `bench-scale-${processes}-${k}` }),
        ),
      );
      const readyAt = performance.now();
      const readySeconds = (readyAt - started) / 1000;
      try {
        // Both libraries write DBOS's table: the backlog is done when nothing of the queue waits or runs.
        let leftAtReady: number | undefined;
        for (;;) {
          const [row] = await sql<{ left: number }[]>`
            select count(*)::int as left from dbos.workflow_status
             where queue_name = ${benchQueueName} and status in ('ENQUEUED', 'PENDING')`;
          leftAtReady ??= row!.left;
          if (row!.left === 0) break;
          await Promise.race([new Promise((resolve) => setTimeout(resolve, 10)), ...workers.map((w) => w.failed)]);
        }
        const finishedAt = performance.now();
        metrics[`drainWorkflowsPerSec${processes}`] = n / ((finishedAt - started) / 1000);
        metrics[`readySeconds${processes}`] = readySeconds;
        // The rate once every worker is up: on a loaded machine a process's start (tsx, imports) can
        // take longer than the drain itself, and would hide how the drain scales.
        metrics[`drainAfterReadyWorkflowsPerSec${processes}`] = leftAtReady / ((finishedAt - readyAt) / 1000);
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
      }
    }
    return { metrics };
  } finally {
    await sql.end({ timeout: 1 });
  }
};
