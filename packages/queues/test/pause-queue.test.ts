// Pausing a queue across processes: two workers stop dequeuing when a client pauses it, the
// workflow already running finishes, enqueues are accepted and wait, the pause survives a restart
// of every worker, and resuming runs what waited. Bad calls are typed errors.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, enqueueWorkflow, isDurablyError, shutdown, type DBOSContext } from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { listQueues, pauseQueue, resumeQueue } from "../src/index.js";

const db = useTestDatabase({ template: migratedTemplate });
const workerScript = fileURLToPath(new URL("./support/pause-worker.mjs", import.meta.url));
const logFile = join(mkdtempSync(join(tmpdir(), "durably-pause-")), "tasks.log");

function events(): Array<{ id: string; executorId: string; event: string }> {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a worker process; resolves once it launched. */
async function startWorker(executorId: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [workerScript, db.url, executorId, logFile]);
  child.stderr!.on("data", (d) => process.stderr.write(`[${executorId}] ${d}`));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => String(d).includes("ready") && resolve());
    child.on("exit", (code) => reject(new Error(`${executorId} exited with ${code}`)));
  });
  return child;
}

function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

describe("pauseQueue and resumeQueue", () => {
  let client: DBOSContext;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    workers.push(await startWorker("worker-a"), await startWorker("worker-b"));
    client = await createClient({ appName: "pause-test", systemDatabaseUrl: db.url });
  });
  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await shutdown(client);
  });

  const enqueue = (id: string, holdMs: number) =>
    enqueueWorkflow(client, "pausableTask", { id, holdMs }, { queue: "pausable", workflowID: id });

  test("a paused queue dequeues nothing on any worker, across restarts, until resumed", async () => {
    const running = await enqueue("running", 1_500);
    await waitFor("the first task to start", () => events().some((e) => e.id === "running"));

    expect(await pauseQueue(client, "pausable", { reason: "maintenance" })).toBe(true);
    expect(await pauseQueue(client, "pausable")).toBe(false); // already paused: the first reason stays
    const waiting = [];
    for (let i = 0; i < 6; i++) waiting.push(await enqueue(`waiting-${i}`, 10));

    // The workflow that was running when the queue paused finishes.
    expect(await running.getResult()).toBe("running");
    // Several polling intervals (0.2 s) and NOTIFYs later, nothing else started.
    await sleep(1_500);
    expect(events().filter((e) => e.id.startsWith("waiting"))).toEqual([]);
    for (const handle of waiting) expect((await handle.getStatus())?.status).toBe("ENQUEUED");
    const [queue] = (await listQueues(client)).filter((q) => q.name === "pausable");
    expect(queue?.paused?.reason).toBe("maintenance");
    expect(queue?.paused?.pausedAt).toBeInstanceOf(Date);

    // Every worker restarts: the pause is in the database, so the new one dequeues nothing either.
    await Promise.all(workers.splice(0).map(stopWorker));
    workers.push(await startWorker("worker-c"));
    await sleep(1_500);
    expect(events().filter((e) => e.id.startsWith("waiting"))).toEqual([]);

    expect(await resumeQueue(client, "pausable")).toBe(true);
    expect(await Promise.all(waiting.map((h) => h.getResult()))).toEqual(waiting.map((h) => h.workflowID));
    expect(await resumeQueue(client, "pausable")).toBe(false);
    expect((await listQueues(client)).find((q) => q.name === "pausable")?.paused).toBeUndefined();
  });

  test("an enqueue right behind a pause is not dequeued", async () => {
    await pauseQueue(client, "pausable");
    const handle = await enqueue("right-behind", 10);
    await sleep(1_000);
    expect((await handle.getStatus())?.status).toBe("ENQUEUED");
    await resumeQueue(client, "pausable");
    expect(await handle.getResult()).toBe("right-behind");
  });

  test("bad calls are typed errors", async () => {
    const missing = await pauseQueue(client, "no-such-queue").catch((e) => e);
    expect(isDurablyError(missing, "QUEUE_NOT_FOUND")).toBe(true);
    expect(missing.message).toMatch(/no queue named no-such-queue to pause/);
    const resumeMissing = await resumeQueue(client, "no-such-queue").catch((e) => e);
    expect(isDurablyError(resumeMissing, "QUEUE_NOT_FOUND")).toBe(true);
    const badReason = await pauseQueue(client, "pausable", { reason: 5 as unknown as string }).catch((e) => e);
    expect(isDurablyError(badReason, "INVALID_ARGUMENT")).toBe(true);
    expect(badReason.message).toMatch(/pauseQueue: reason must be a string/);
    const unknown = await pauseQueue(client, "pausable", { reasn: "x" } as object).catch((e) => e);
    expect(unknown.message).toMatch(/unknown option reasn \(did you mean reason\?\)/);
    const noName = await pauseQueue(client, "").catch((e) => e);
    expect(isDurablyError(noName, "INVALID_ARGUMENT")).toBe(true);
    expect((await listQueues(client)).find((q) => q.name === "pausable")?.paused).toBeUndefined();
  });
});
