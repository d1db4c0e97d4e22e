// A client's getResult on a workflow another process runs wakes when the outcome commits, not at
// its next poll: with resultPollIntervalMs at 60 s the poll alone would answer ~10 s late.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, createDBOSContext, enqueueWorkflow, launch, shutdown } from "@durably/core";
import { migratedTemplate, openSystemDatabase } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";

const db = useTestDatabase({ template: migratedTemplate });
const workerScript = fileURLToPath(new URL("./support/result-wake-worker.mjs", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [workerScript, db.url]);
  child.stderr!.on("data", (d) => process.stderr.write(`[worker] ${d}`));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => String(d).includes("ready") && resolve());
    child.on("exit", (code) => reject(new Error(`worker exited with ${code}`)));
  });
  return child;
}

test("getResult in another process wakes when the outcome commits, long before its next poll", async () => {
  const worker = await startWorker();
  const client = await createClient({ appName: "wake-test", systemDatabaseUrl: db.url, resultPollIntervalMs: 60_000 });
  const dir = mkdtempSync(join(tmpdir(), "durably-wake-"));
  try {
    // A first round trip, so the worker's LISTEN and the client's are surely up.
    const warmGate = join(dir, "warm");
    writeFileSync(warmGate, "");
    const warm = await enqueueWorkflow(client, "gatedTask", { gate: warmGate, value: "warm" }, { queue: "gated" });
    expect(await warm.getResult({ timeoutMs: 60_000 })).toBe("warm");

    const gate = join(dir, "gate");
    const handle = await enqueueWorkflow(client, "gatedTask", { gate, value: 42 }, { queue: "gated" });
    const result = handle.getResult({ timeoutMs: 120_000 });
    let resolvedAt: number | undefined;
    void result.then(() => (resolvedAt = Date.now()));
    // Reads back off 10, 20, 40 … ms: after 11 s the waiter sleeps from ~10.2 s to ~20.5 s.
    await sleep(11_000);
    expect(resolvedAt).toBeUndefined(); // premise: the workflow is still waiting for its gate
    expect((await handle.getStatus())?.status).toBe("PENDING");
    const openedAt = Date.now();
    writeFileSync(gate, "");
    expect(await result).toBe(42);
    // Woken by the notification: well before the poll at ~20.5 s (9 s after the gate opened).
    expect(resolvedAt! - openedAt).toBeLessThan(6_000);
  } finally {
    await shutdown(client);
    await new Promise<void>((resolve) => {
      if (worker.exitCode !== null) return resolve();
      worker.on("exit", () => resolve());
      worker.kill("SIGTERM");
    });
  }
}, 120_000);

test("a wanted ID is answered by the worker that ended the workflow, not by every worker", async () => {
  const worker = await startWorker();
  // A second worker (not a client: it hears wanted IDs) that never runs gatedTask.
  const bystander = createDBOSContext({ appName: "wake-test", systemDatabaseUrl: db.url, applicationVersion: "b-v1" });
  await launch(bystander);
  const client = await createClient({ appName: "wake-test", systemDatabaseUrl: db.url });
  const raw = openSystemDatabase({ url: db.url, poolSize: 1 });
  const dir = mkdtempSync(join(tmpdir(), "durably-wake-"));
  try {
    const gate = join(dir, "gate");
    writeFileSync(gate, "");
    const handle = await enqueueWorkflow(client, "gatedTask", { gate, value: 7 }, { queue: "gated" });
    expect(await handle.getResult({ timeoutMs: 60_000 })).toBe(7);
    const answers: string[] = [];
    await raw.sql.listen("durably_result_ready", (id) => void answers.push(id));
    // As a waiter does right after reading the row unfinished: the run ended before the workers heard it.
    await raw.sql`select pg_notify('durably_result_wanted', ${handle.workflowID})`;
    const until = Date.now() + 10_000;
    while (answers.length === 0 && Date.now() < until) await sleep(20);
    expect(answers).toEqual([handle.workflowID]); // premise: the worker that ran it answered
    // The bystander heard the same ID; it would have answered by now (its NOTIFY is one round trip).
    await sleep(1_500);
    expect(answers).toEqual([handle.workflowID]);
  } finally {
    await raw.close();
    await shutdown(client);
    await shutdown(bystander);
    await new Promise<void>((resolve) => {
      if (worker.exitCode !== null) return resolve();
      worker.on("exit", () => resolve());
      worker.kill("SIGTERM");
    });
  }
}, 60_000);
