// `durably version list` and `durably workflow upgrade` against real worker processes of two
// versions: v1's waiting workflows are stranded when its worker stops, a dry run changes nothing,
// the upgrade hands them to the live v2 worker, which finishes them; DBOS 5.3.0's client reads them.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createClient, enqueueWorkflow, shutdown, type DBOSContext, type Workflow } from "@durably/core";
import { send } from "@durably/notifications";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterEach, expect, test } from "vitest";
import { createDBOSClient } from "../interop/support/dbos-client.js";
import { startOpsWorker, type OpsWorker } from "./support/start-ops-worker.js";

const db = useTestDatabase({ template: migratedTemplate });
const cliPath = join(dirname(createRequire(import.meta.url).resolve("@durably/cli/package.json")), "dist", "main.js");
const workers: OpsWorker[] = [];

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function durably(args: string[]): Promise<Run> {
  const env = { ...process.env, NO_COLOR: "1", DBOS_SYSTEM_DATABASE_URL: db.url };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, "--app", "ops-app", ...args],
      { env, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

async function json(args: string[]) {
  const run = await durably(["--json", ...args]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

/** [workflow ID, status, version] of the gated workflows, oldest first. */
async function gatedRows(): Promise<string[][]> {
  const rows = await json(["workflow", "list", "--prefix", "gated-", "--asc"]);
  return rows.map((r: { workflowID: string; status: string; applicationVersion: string }) => [
    r.workflowID,
    r.status,
    r.applicationVersion,
  ]);
}

const ids = ["gated-1", "gated-2", "gated-3"];

test("version list shows live executors and waiting workflows, then the stranded ones; upgrade --dry-run changes " +
  "nothing; upgrade hands them to v2, which finishes them", async () => {
  const v1 = await startOpsWorker(db.url, { applicationVersion: "v1", executorId: "ops-v1" });
  workers.push(v1);
  const client: DBOSContext = await createClient({ systemDatabaseUrl: db.url, appName: "ops-app" });
  try {
    // Three workflows waiting in recv on the v1 worker: PENDING, step "before" recorded.
    for (const id of ids) {
      await enqueueWorkflow<Workflow<void, string>>(client, "gated", undefined, {
        queue: "work",
        workflowID: id,
        applicationVersion: "v1",
      });
    }
    await expect.poll(() => v1.effects().length, { timeout: 15_000 }).toBe(3);
    await expect.poll(gatedRows, { timeout: 15_000 }).toEqual(ids.map((id) => [id, "PENDING", "v1"]));

    const listed = await durably(["version", "list"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/VERSION\s+APP\s+FIRST SEEN\s+LIVE EXECUTORS\s+PENDING\s+ENQUEUED\s+SERVED/);
    expect(listed.stdout).toMatch(/v1\s+ops-app\s+\S+ ago\s+1\s+3\s+0\s+yes/);
    expect(listed.stderr).toBe("");

    await v1.stop();
    const v2 = await startOpsWorker(db.url, { applicationVersion: "v2", executorId: "ops-v2" });
    workers.push(v2);
    // v1 released its lease: v2's lease round puts its runs of queue "work" back to ENQUEUED (still v1's).
    const summary = async () =>
      (await json(["version", "list"])).map((v: Record<string, unknown>) => [
        v.versionName,
        v.liveExecutors,
        v.pending,
        v.enqueued,
        v.stranded,
      ]);
    await expect.poll(summary, { timeout: 15_000 }).toEqual([
      ["v2", 1, 0, 0, false],
      ["v1", 0, 0, 3, true],
    ]);
    const stranded = await durably(["version", "list"]);
    expect(stranded.code).toBe(0);
    expect(stranded.stdout).toMatch(/v1\s+ops-app\s+\S+ ago\s+0\s+0\s+3\s+STRANDED/);
    expect(stranded.stderr).toContain("3 pending workflows of versions v1 are served by no live worker.");

    const dry = await durably(["workflow", "upgrade", "--from", "v1", "--to", "v2", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("gated-1: ENQUEUED\ngated-2: ENQUEUED\ngated-3: ENQUEUED\n");
    expect(dry.stdout).toContain("Would move 3 workflow(s) of version v1 to v2 (0 pending, 3 enqueued).");
    expect(await gatedRows()).toEqual(ids.map((id) => [id, "ENQUEUED", "v1"]));

    const moved = await json(["workflow", "upgrade", "--from", "v1", "--to", "v2"]);
    expect(moved).toMatchObject({
      from: "v1",
      to: "v2",
      dryRun: false,
      pending: 0,
      enqueued: 3,
      liveExecutorsOfTarget: 1,
    });
    expect(moved.workflows.map((w: { workflowID: string }) => w.workflowID)).toEqual(ids);
    // v2 resumes them from their checkpoints: "before" is replayed, not run again; they wait in recv.
    await expect.poll(gatedRows, { timeout: 15_000 }).toEqual(ids.map((id) => [id, "PENDING", "v2"]));
    for (const id of ids) await send(client, id, "on v2", { topic: "go" });
    await expect.poll(gatedRows, { timeout: 15_000 }).toEqual(ids.map((id) => [id, "SUCCESS", "v2"]));
    expect(v1.effects().sort()).toEqual(ids.map((id) => `${id}:before`));
    expect(v2.effects().sort()).toEqual(ids.map((id) => `${id}:after`));
    expect(
      (await json(["version", "list"])).find((v: { versionName: string }) => v.versionName === "v1"),
    ).toMatchObject({ pending: 0, stranded: false });
    expect((await durably(["version", "list"])).stderr).toBe("");

    const dbos = await createDBOSClient(db.url, "ops-app");
    try {
      for (const id of ids) {
        expect(await dbos.retrieveWorkflow(id).getResult()).toBe("went on v2");
        expect(await dbos.getWorkflow(id)).toMatchObject({
          status: "SUCCESS",
          workflowName: "gated",
          applicationVersion: "v2",
        });
      }
    } finally {
      await dbos.destroy();
    }
  } finally {
    await shutdown(client);
  }
}, 180_000); // about twenty CLI processes and two workers: minutes on a loaded machine

test("workflow upgrade: a missing, equal or unknown version " +
  "is a usage error (exit code 2), naming the option", async () => {
  workers.push(await startOpsWorker(db.url, { applicationVersion: "v2", executorId: "ops-v2" }));
  const missing = await durably(["workflow", "upgrade", "--from", "v1"]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("required option '--to <version>' not specified");
  const same = await durably(["workflow", "upgrade", "--from", "v2", "--to", "v2"]);
  expect(same.code).toBe(2);
  expect(same.stderr).toContain("the options from and to are both v2");
  const unknown = await durably(["workflow", "upgrade", "--from", "v1", "--to", "v9"]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("the option to names version v9");
  const none = await durably(["workflow", "upgrade", "--from", "v0", "--to", "v2"]);
  expect(none.code, none.stderr).toBe(0);
  expect(none.stdout).toContain("Moved 0 workflow(s) of version v0 to v2 (0 pending, 0 enqueued).");
}, 120_000);
