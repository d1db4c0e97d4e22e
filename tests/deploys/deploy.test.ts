// Deploying new code while workflows are in flight, with worker processes of each version: a
// change guarded by patched() replays old runs on their old path (or the new one where they had
// not reached the change), an unguarded one stops them with UNEXPECTED_STEP and leaves them
// untouched, and versions no live worker serves are reported at launch (or upgraded, opted in).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterEach, describe, expect, test } from "vitest";
import { createDBOSClient } from "../interop/support/dbos-client.js";
import { withRawSql } from "../interop/support/raw-sql.js";
import { DeployWorker, type DeployWorkerConfig } from "./support/deploy-worker.js";

const db = useTestDatabase({ template: migratedTemplate });
const cliPath = join(dirname(createRequire(import.meta.url).resolve("@durably/cli/package.json")), "dist", "main.js");

/** Runs the durably CLI against this file's database. */
function durably(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, NO_COLOR: "1", DBOS_SYSTEM_DATABASE_URL: db.url };
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
const sleepMs = 5_000;
const workers: DeployWorker[] = [];

afterEach(() => {
  for (const worker of workers.splice(0)) worker.kill();
});

async function startWorker(config: Omit<DeployWorkerConfig, "url" | "sleepMs">): Promise<DeployWorker> {
  const worker = await DeployWorker.start({ ...config, url: db.url, sleepMs });
  workers.push(worker);
  return worker;
}

interface Row {
  readonly id: string;
  readonly status: string;
  readonly version: string | null;
  readonly steps: string[];
}

async function rows(prefix: string): Promise<Row[]> {
  return withRawSql(db.url, async (sql) => {
    const found = await sql`
      select w.workflow_uuid, w.status, w.application_version,
             coalesce((select array_agg(o.function_name order by o.function_id) from dbos.operation_outputs o
                       where o.workflow_uuid = w.workflow_uuid), '{}') as steps
      from dbos.workflow_status w where w.workflow_uuid like ${`${prefix}%`} order by w.workflow_uuid`;
    return found.map((r) => ({
      id: r.workflow_uuid as string,
      status: r.status as string,
      version: r.application_version as string | null,
      steps: r.steps as string[],
    }));
  });
}

/** Every checkpoint of these workflows as stored, to show that nothing was overwritten. */
async function checkpoints(prefix: string): Promise<unknown[]> {
  return withRawSql(db.url, async (sql) => [
    ...(await sql`
      select workflow_uuid, function_id, function_name, output, error, completed_at_epoch_ms from dbos.operation_outputs
      where workflow_uuid like ${`${prefix}%`} order by workflow_uuid, function_id`),
  ]);
}

/** How many times each "<workflow> <step>" ran, from the effect log. */
function effects(effectLog: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(effectLog)) return counts;
  for (const line of readFileSync(effectLog, "utf8").split("\n").filter(Boolean))
    counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

/** Starts `count` workflows on v1 workers and shuts them down while every run sleeps (half before the change point). */
async function inFlightOnV1(
  appName: string,
  prefix: string,
  count: number,
  effectLog: string,
  processes: number,
): Promise<void> {
  const v1: DeployWorker[] = [];
  for (let p = 0; p < processes; p++) v1.push(await startWorker({ appName, version: "v1", code: "v1", effectLog }));
  const ids = Array.from({ length: count }, (_, n) => ({ id: `${prefix}${String(n).padStart(2, "0")}`, n }));
  await Promise.all(v1.map((worker, p) => worker.run(ids.filter((_, i) => i % processes === p))));
  await expect
    .poll(async () => (await rows(prefix)).filter((r) => r.steps.includes("DBOS.sleep")).length, {
      timeout: 30_000,
      interval: 200,
    })
    .toBe(count);
  for (const worker of v1) await worker.shutdown();
  // The premise: every run is in flight, asleep, with its steps up to the sleep recorded.
  const before = await rows(prefix);
  expect(before.map((r) => r.status)).toEqual(Array(count).fill("PENDING"));
  for (const row of before) {
    const n = Number(row.id.slice(prefix.length));
    expect(row.steps).toEqual(n % 2 === 1 ? ["a", "DBOS.sleep"] : ["a", "b", "DBOS.sleep"]);
  }
}

/** The steps a finished run recorded: the old path, or the new one behind the patch marker. */
function finishedSteps(n: number, path: "old" | "new"): string[] {
  if (path === "old") return ["a", "b", "DBOS.sleep", "c"];
  return n % 2 === 1
    ? ["a", "DBOS.sleep", "DBOS.patch-audit-before-b", "audit", "b", "c"]
    : ["a", "DBOS.patch-audit-before-b", "audit", "b", "DBOS.sleep", "c"];
}

const strandedWarning = /pending workflows of versions .* are served by no live worker/;

describe("deploying new code with workflows in flight", () => {
  test(
    "v2 workers (compatible with v1) finish 30 runs of v1: past the patch point on the old path, before it on " +
      "the new; new runs take the new path; no committed step runs again; DBOS's client reads them",
    async () => {
      const effectLog = join(mkdtempSync(join(tmpdir(), "deploy-")), "effects.log");
      const appName = "deploy-patched";
      await inFlightOnV1(appName, "p-", 30, effectLog, 2);
      const ranOnV1 = effects(effectLog);
      const recordedOnV1 = await checkpoints("p-");

      const v2 = [
        await startWorker({ appName, version: "v2", code: "v2", effectLog, compatibleVersions: ["v1"] }),
        await startWorker({ appName, version: "v2", code: "v2", effectLog, compatibleVersions: ["v1"] }),
      ];
      await expect
        .poll(async () => (await rows("p-")).filter((r) => r.status === "SUCCESS").length, {
          timeout: 60_000,
          interval: 250,
        })
        .toBe(30);
      await v2[0]!.run([
        { id: "new-0", n: 0 },
        { id: "new-1", n: 1 },
      ]);
      await expect
        .poll(async () => (await rows("new-")).map((r) => r.status), { timeout: 30_000, interval: 250 })
        .toEqual(["SUCCESS", "SUCCESS"]);
      expect(v2.flatMap((w) => w.logs).filter((l) => strandedWarning.test(l.message))).toEqual([]);

      const finished = await rows("p-");
      for (const row of finished) {
        const n = Number(row.id.slice(2));
        expect(row.steps, row.id).toEqual(finishedSteps(n, n % 2 === 1 ? "new" : "old"));
        // A claim keeps the version that recorded the steps.
        expect(row.version).toBe("v1");
      }
      expect((await rows("new-")).map((r) => r.steps)).toEqual([finishedSteps(0, "new"), finishedSteps(1, "new")]);
      // What v1 recorded is still there as it was.
      const after = (await checkpoints("p-")) as Array<{ workflow_uuid: string; function_id: number }>;
      const recorded = new Set((recordedOnV1 as typeof after).map((c) => JSON.stringify(c)));
      expect(after.filter((c) => recorded.has(JSON.stringify(c)))).toHaveLength(recordedOnV1.length);
      // Every step ran exactly once, across both deploys: v1's committed steps never again.
      const ran = effects(effectLog);
      for (const [effect, times] of ran) expect(times, effect).toBe(1);
      for (const effect of ranOnV1.keys()) expect(ran.get(effect)).toBe(1);
      expect(ran.size).toBe(
        finished.reduce((sum, r) => sum + r.steps.filter((s) => !s.startsWith("DBOS.")).length, 0) + 2 * 4,
      );

      const dbos = await createDBOSClient(db.url, appName);
      try {
        for (const n of [0, 1, 28, 29]) {
          const id = `p-${String(n).padStart(2, "0")}`;
          expect(await dbos.retrieveWorkflow(id).getResult()).toEqual({
            n,
            path: n % 2 === 1 ? "new" : "old",
            version: "v2",
          });
          expect(await dbos.getWorkflow(id)).toMatchObject({
            status: "SUCCESS",
            workflowName: "deployOrder",
            applicationVersion: "v1",
          });
          expect((await dbos.listWorkflowSteps(id))?.map((s) => s.name)).toEqual(
            finishedSteps(n, n % 2 === 1 ? "new" : "old"),
          );
        }
        expect(await dbos.retrieveWorkflow("new-0").getResult()).toEqual({ n: 0, path: "new", version: "v2" });
      } finally {
        await dbos.destroy();
      }
      for (const worker of v2) await worker.shutdown();
    },
  );

  test(
    "an unguarded change of step order stops the old runs with UNEXPECTED_STEP and leaves them PENDING and " +
      "unchanged; after durably workflow upgrade to code that replays them, they finish",
    async () => {
      const effectLog = join(mkdtempSync(join(tmpdir(), "deploy-")), "effects.log");
      const appName = "deploy-unguarded";
      await inFlightOnV1(appName, "u-", 6, effectLog, 1);
      const recordedOnV1 = await checkpoints("u-");
      const ranOnV1 = effects(effectLog);

      const broken = await startWorker({
        appName,
        version: "v3",
        code: "v2-unguarded",
        effectLog,
        compatibleVersions: ["v1"],
      });
      const diverged = () => broken.logs.filter((l) => l.level === "error" && /diverged/.test(l.message));
      await expect.poll(() => diverged().length, { timeout: 30_000, interval: 200 }).toBe(6);
      for (const line of diverged()) {
        const error = line.fields.error as { code: string; message: string };
        expect(error.code).toBe("UNEXPECTED_STEP");
        expect(error.message).toMatch(
          new RegExp(
            /^Workflow u-\d\d \(deployOrder\) is not deterministic: step 0 was recorded as "a" /.source +
              /by application version v1, but this code calls "b" there\./.source,
          ),
        );
      }
      // Checked after a few lease rounds: nothing moved.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await rows("u-")).map((r) => r.status)).toEqual(Array(6).fill("PENDING"));
      expect(await checkpoints("u-")).toEqual(recordedOnV1);
      expect(effects(effectLog)).toEqual(ranOnV1);
      await broken.shutdown();

      // The fixed code ships as v2, which does not serve v1: the operator moves the runs to it.
      const fixed = await startWorker({ appName, version: "v2", code: "v2", effectLog });
      const upgrade = await durably(["--json", "--app", appName, "workflow", "upgrade", "--from", "v1", "--to", "v2"]);
      expect(upgrade.code, upgrade.stderr).toBe(0);
      expect((JSON.parse(upgrade.stdout) as { pending: number }).pending).toBe(6);
      await expect
        .poll(async () => (await rows("u-")).map((r) => r.status), { timeout: 30_000, interval: 250 })
        .toEqual(Array(6).fill("SUCCESS"));
      for (const row of await rows("u-")) {
        const n = Number(row.id.slice(2));
        expect(row.steps).toEqual(finishedSteps(n, n % 2 === 1 ? "new" : "old"));
      }
      for (const times of effects(effectLog).values()) expect(times).toBe(1);
      await fixed.shutdown();
    },
  );

  test(
    "with no live worker serving v1, launch reports the stranded workflows and leaves them; with " +
      "upgradeStrandedVersions they move to v2 and run",
    async () => {
      const effectLog = join(mkdtempSync(join(tmpdir(), "deploy-")), "effects.log");
      const appName = "deploy-stranded";
      await inFlightOnV1(appName, "s-", 4, effectLog, 1);
      const recordedOnV1 = await checkpoints("s-");

      const plain = await startWorker({ appName, version: "v2", code: "v2", effectLog });
      const warning = plain.logs.find((l) => l.level === "warn" && strandedWarning.test(l.message));
      expect(warning?.message).toMatch(
        new RegExp(
          /^4 pending workflows of versions v1 are served by no live worker of deploy-stranded; /.source +
            /this worker runs version v2\. /.source,
        ),
      );
      expect(warning?.fields.stranded).toEqual([{ applicationVersion: "v1", pending: 4, enqueued: 0 }]);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect((await rows("s-")).map((r) => [r.status, r.version])).toEqual(Array(4).fill(["PENDING", "v1"]));
      expect(await checkpoints("s-")).toEqual(recordedOnV1);
      await plain.shutdown();

      const upgrading = await startWorker({
        appName,
        version: "v2",
        code: "v2",
        effectLog,
        upgradeStrandedVersions: true,
      });
      expect(upgrading.logs.find((l) => /^upgraded 4 workflows of versions v1/.test(l.message))).toBeDefined();
      expect(upgrading.logs.filter((l) => strandedWarning.test(l.message))).toEqual([]);
      await expect
        .poll(async () => (await rows("s-")).map((r) => [r.status, r.version]), { timeout: 30_000, interval: 250 })
        .toEqual(Array(4).fill(["SUCCESS", "v2"]));
      for (const row of await rows("s-")) {
        const n = Number(row.id.slice(2));
        expect(row.steps).toEqual(finishedSteps(n, n % 2 === 1 ? "new" : "old"));
      }
      for (const times of effects(effectLog).values()) expect(times).toBe(1);
      await upgrading.shutdown();
    },
  );
});
