// Flow control across three worker processes: concurrency limits and the rate limiter hold, and
// the rate limiter uses the database clock even when a worker's clock is 90 s off.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, listWorkflows, runWorkflow, shutdown } from "@durably/core";
import { openSystemDatabase } from "@durably/sysdb";
import {
  assertClockSkewed,
  assertPremise,
  skewedClockEnv,
  skewedClockUnavailable,
  skipForMissingPremise,
} from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { migratedTemplate } from "@durably/sysdb";
import { producerContext } from "./support/queue-test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
const workerScript = fileURLToPath(new URL("./support/queue-worker.mjs", import.meta.url));
// The rate-limiter test shifts one worker's clock with libfaketime; without it, it is skipped, saying
// why (under CI=true, which installs it, it fails instead).
const noSkew = skewedClockUnavailable();
const skipSkewed = skipForMissingPremise("the skewed-worker rate limiter test", noSkew);
const logFile = join(mkdtempSync(join(tmpdir(), "durably-queues-")), "tasks.log");
interface TaskRecord {
  id: number;
  executorId: string;
  start: number;
  end: number;
}

/** Starts one worker process per entry (true: its clock runs 90 s ahead); resolves once all are ready. */
async function startWorkers(skews: readonly boolean[]): Promise<() => Promise<void>> {
  const workers: ChildProcess[] = [];
  const stop = () =>
    Promise.all(
      workers.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve(undefined);
            child.on("exit", resolve);
            child.kill("SIGTERM");
          }),
      ),
    ).then(() => undefined);
  try {
    for (const [i, skewed] of skews.entries()) {
      const args = [workerScript, db.url, `worker-${i + 1}`, logFile];
      // libfaketime (Debian's faketime package) shifts the clock the worker reads, not the database's.
      const env = skewed ? skewedClockEnv(90) : process.env;
      const child = spawn(process.execPath, args, { env });
      child.stderr?.on("data", (d) => process.stderr.write(`[worker-${i + 1}] ${d}`));
      workers.push(child);
      // The worker prints "ready <its Date.now()>": a skewed one must really be 90 s ahead.
      const childNow = await new Promise<number>((resolve, reject) => {
        child.stdout?.on("data", (d) => {
          const ready = /ready (\d+)/.exec(String(d));
          if (ready) resolve(Number(ready[1]));
        });
        child.on("exit", (code) => reject(new Error(`worker-${i + 1} exited with ${code}`)));
      });
      assertClockSkewed(childNow, skewed ? 90 : 0, `worker-${i + 1}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

function maxOverlap(intervals: Array<{ start: number; end: number }>): number {
  const events = intervals
    .flatMap(
      (t) =>
        [
          [t.start, 1],
          [t.end, -1],
        ] as const,
    )
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of events) max = Math.max(max, (now += delta));
  return max;
}

test("global concurrency 3 and worker concurrency 2 are never exceeded across 3 processes", async () => {
  const stopWorkers = await startWorkers([false, false, false]);
  const { ctx, task } = producerContext(db.url);
  await launch(ctx);
  try {
    const handles = await Promise.all(
      Array.from({ length: 24 }, (_, id) => runWorkflow(ctx, task, { id, holdMs: 150 }, { queue: "limited" })),
    );
    expect((await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 30_000 })))).sort((a, b) => a - b)).toEqual([
      ...Array(24).keys(),
    ]);
  } finally {
    await shutdown(ctx);
    await stopWorkers();
  }
  const tasks: TaskRecord[] = readFileSync(logFile, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l))
    .filter((t) => t.id < 1000);
  expect(tasks).toHaveLength(24);
  // Per worker and globally, from the tasks' own start and end times (one host clock).
  for (const worker of ["worker-1", "worker-2", "worker-3"]) {
    expect(maxOverlap(tasks.filter((t) => t.executorId === worker))).toBeLessThanOrEqual(2);
  }
  expect(maxOverlap(tasks)).toBeLessThanOrEqual(3);
  // And from the database's own record of who was running when.
  const sysdb = openSystemDatabase({ url: db.url, poolSize: 1 });
  try {
    const rows = await sysdb.sql`
      select started_at_epoch_ms::float8 as start, completed_at::float8 as db_end, executor_id
      from dbos.workflow_status where queue_name = 'limited'`;
    expect(rows).toHaveLength(24);
    const overlap = maxOverlap(rows.map((r) => ({ start: r.start, end: r.db_end })));
    expect(overlap).toBeLessThanOrEqual(3);
    expect(overlap).toBeGreaterThanOrEqual(2); // the limit was actually exercised
    expect(new Set(rows.map((r) => r.executor_id)).size).toBeGreaterThanOrEqual(2);
  } finally {
    await sysdb.close();
  }
});

// Without libfaketime no worker's clock can be shifted, and the test would prove nothing about it.
// `.ci/run` installs it; elsewhere: apt-get install faketime.
test.skipIf(skipSkewed)("the rate limiter (5 per second) holds in every window, by the database clock", async () => {
  assertPremise(noSkew);
  const stopWorkers = await startWorkers([false, false, true]);
  const { ctx, task } = producerContext(db.url);
  await launch(ctx);
  try {
    const handles = await Promise.all(
      Array.from({ length: 20 }, (_, i) => runWorkflow(ctx, task, { id: 1000 + i, holdMs: 250 }, { queue: "rated" })),
    );
    await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 30_000 })));
    const rows = await listWorkflows(ctx, { queueName: "rated" });
    expect(rows).toHaveLength(20);
    const starts = rows.map((r) => r.startedAt!.getTime()).sort((a, b) => a - b);
    for (let i = 0; i + 5 < starts.length; i++) expect(starts[i + 5]! - starts[i]!).toBeGreaterThanOrEqual(1000);
    expect(starts[starts.length - 1]! - starts[0]!).toBeGreaterThanOrEqual(3000);
    expect(new Set(rows.map((r) => r.executorID))).toContain("worker-3");
    // The skewed worker really did see a clock 90 s ahead.
    const skewedEnds = readFileSync(logFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((t) => t.id >= 1000 && t.executorId === "worker-3");
    expect(skewedEnds.length).toBeGreaterThan(0);
    expect(skewedEnds[0].start - Date.now()).toBeGreaterThan(60_000);
  } finally {
    await shutdown(ctx);
    await stopWorkers();
  }
  expect(existsSync(logFile)).toBe(true);
});
