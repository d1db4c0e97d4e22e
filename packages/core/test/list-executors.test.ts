// listExecutors: every process's lease with its host, PID, version, state and the workflows it owns,
// from a launched context or a client; live, released, replaced, and lapsed (a real SIGKILL).
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { migratedTemplate } from "@durably/sysdb";
import {
  createClient,
  launch,
  listExecutors,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
  type ExecutorInfo,
} from "../src/index.js";
import { testContext } from "./support/test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
const leaseHolder = fileURLToPath(new URL("./support/lease-holder.mjs", import.meta.url));

/** Executor ID and state of each executor, newest first. */
const states = (executors: ExecutorInfo[]) => executors.map((e) => [e.executorID, e.state]);

test("a client and a context see each process: host, PID, version, renewal, the workflows it owns", async () => {
  const ctx = testContext(db.url, { appName: "fleet-owned", executorId: "worker-a" });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inStep = new Promise<void>((resolve) => (entered = resolve));
  const hold = registerWorkflow(ctx, async function hold(wctx: DBOSContext) {
    return runAsStep(
      wctx,
      async () => {
        entered();
        await gate;
        return "done";
      },
      { name: "gate" },
    );
  });
  await launch(ctx);
  const client = await createClient({ systemDatabaseUrl: db.url, appName: "fleet-owned" });
  try {
    const handle = await runWorkflow(ctx, hold, undefined, { workflowID: "owned-1" });
    await inStep;
    const [seen, ...others] = await listExecutors(client);
    expect(others).toEqual([]);
    expect(seen).toMatchObject({
      executorID: "worker-a",
      applicationName: "fleet-owned",
      applicationVersion: "v1",
      hostname: hostname(),
      pid: process.pid,
      state: "live",
      workflowsOwned: 1,
    });
    expect(seen!.leaseID).toMatch(/^[\w-]{12}$/);
    expect(seen!.renewedAt.getTime()).toBeGreaterThanOrEqual(seen!.startedAt.getTime());
    expect(await listExecutors(ctx)).toEqual([seen]);
    release();
    expect(await handle.getResult({ timeoutMs: 10_000 })).toBe("done");
    expect((await listExecutors(client))[0]!.workflowsOwned).toBe(0);
  } finally {
    release();
    await shutdown(client);
    await shutdown(ctx);
  }
});

test("shutdown releases a lease, a relaunch with its executor ID replaces it; state and limit filter", async () => {
  const app = "fleet-states";
  // Long leases: no renewal round runs (none forgets an ended lease) while the test looks.
  const quietLease = { appName: app, leaseRenewMs: 60_000, leaseLapseMs: 180_000 };
  const released = testContext(db.url, { ...quietLease, executorId: "worker-r" });
  await launch(released);
  await shutdown(released);
  const first = testContext(db.url, { ...quietLease, executorId: "worker-x" });
  await launch(first);
  const relaunched = testContext(db.url, { ...quietLease, executorId: "worker-x" });
  await launch(relaunched);
  const client = await createClient({ systemDatabaseUrl: db.url, appName: app });
  try {
    expect(states(await listExecutors(client))).toEqual([
      ["worker-x", "live"],
      ["worker-x", "replaced"],
      ["worker-r", "released"],
    ]);
    expect(states(await listExecutors(client, { state: ["live", "released"] }))).toEqual([
      ["worker-x", "live"],
      ["worker-r", "released"],
    ]);
    expect(states(await listExecutors(client, { state: ["lapsed"] }))).toEqual([]);
    expect(states(await listExecutors(client, { limit: 2 }))).toEqual([
      ["worker-x", "live"],
      ["worker-x", "replaced"],
    ]);
    expect(await listExecutors(client, { limit: 0 })).toEqual([]);
  } finally {
    await shutdown(client);
    await shutdown(relaunched);
    await shutdown(first);
  }
});

test("a process killed with SIGKILL shows as lapsed, still owning the workflow it ran", async () => {
  const app = "fleet-killed";
  const client = await createClient({ systemDatabaseUrl: db.url, appName: app });
  const child = spawn(process.execPath, [leaseHolder, db.url, app, "worker-k"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const exited = new Promise<NodeJS.Signals | null>((resolve) => {
      child.on("exit", (_code, signal) => resolve(signal));
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => String(d).includes("ready") && resolve());
      child.on("exit", (code) => reject(new Error(`the lease holder exited with ${code}`)));
    });
    const [live] = await listExecutors(client);
    expect(live).toMatchObject({ executorID: "worker-k", state: "live", workflowsOwned: 1, pid: child.pid });
    child.kill("SIGKILL");
    // Premise: it died of the SIGKILL, inside its workflow (its lease renews every 50 ms, lapses after 150).
    expect(await exited).toBe("SIGKILL");
    const lapsed = async () => states(await listExecutors(client, { state: ["lapsed"] }));
    await expect.poll(lapsed, { timeout: 5_000 }).toEqual([["worker-k", "lapsed"]]);
    // No live process of its application adopts it: the workflow stays with the lapsed lease.
    expect(await listExecutors(client)).toEqual([{ ...live, state: "lapsed", renewedAt: expect.any(Date) }]);
  } finally {
    child.kill("SIGKILL");
    await shutdown(client);
  }
});

test("a context lists its application's executors, all with ownApplicationOnly false, like a bare client", async () => {
  const one = testContext(db.url, { appName: "fleet-one", executorId: "one" });
  const other = testContext(db.url, { appName: "fleet-other", executorId: "other" });
  await launch(one);
  await launch(other);
  const everyApp = await createClient({ systemDatabaseUrl: db.url });
  try {
    const apps = (executors: ExecutorInfo[]) => new Set(executors.map((e) => e.applicationName));
    expect(apps(await listExecutors(one))).toEqual(new Set(["fleet-one"]));
    // The other tests' processes have ended: only these two are live.
    const live = await listExecutors(one, { ownApplicationOnly: false, state: ["live"] });
    expect(apps(live)).toEqual(new Set(["fleet-one", "fleet-other"]));
    expect(apps(await listExecutors(everyApp, { state: ["live"] }))).toEqual(new Set(["fleet-one", "fleet-other"]));
  } finally {
    await shutdown(everyApp);
    await shutdown(other);
    await shutdown(one);
  }
});
