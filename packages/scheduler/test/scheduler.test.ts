// Schedules against a real Postgres: one workflow per tick across three workers (one with its
// clock 90 s ahead), pause and resume, backfill, DST, validation, and unregistered workflows.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDBOSContext, isDurablyError, launch, listWorkflows, shutdown, type Logger } from "@durably/core";
import { openSystemDatabase } from "@durably/sysdb";
import {
  assertClockSkewed,
  assertPremise,
  skewedClockEnv,
  skewedClockUnavailable,
  skipForMissingPremise,
} from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { describe, expect, test } from "vitest";
import {
  applySchedules,
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  startScheduler,
  tickWorkflowID,
  triggerSchedule,
} from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";

const db = useTestDatabase({ template: migratedTemplate });
// The "one worker 90 s fast" premise needs libfaketime; without it the test is skipped, saying why
// (under CI=true, which installs it, it fails instead).
const noSkew = skewedClockUnavailable();
const skipSkewed = skipForMissingPremise("the skewed-worker scheduler test", noSkew);
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A context that manages schedules but runs no ticks itself (only the workers register "tick"). */
function context(logger: Logger = quiet) {
  const ctx = createDBOSContext({
    appName: "sched-test",
    systemDatabaseUrl: db.url,
    applicationVersion: "s-v1",
    logger,
    pollIntervalMs: 200,
  });
  return { ctx };
}

async function startWorkers(logFile: string): Promise<() => Promise<void>> {
  const script = fileURLToPath(new URL("./support/scheduler-worker.mjs", import.meta.url));
  const workers: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(
      workers.map(
        (c) =>
          new Promise((resolve) =>
            c.exitCode !== null ? resolve(undefined) : (c.on("exit", resolve), c.kill("SIGTERM")),
          ),
      ),
    );
  };
  try {
    for (const [i, skewed] of [false, false, true].entries()) {
      const env = skewed ? skewedClockEnv(90) : process.env;
      const child = spawn(process.execPath, [script, db.url, `sched-worker-${i + 1}`, logFile], { env });
      child.stderr?.on("data", (d) => process.stderr.write(`[sched-worker-${i + 1}] ${d}`));
      workers.push(child);
      // The worker prints "ready <its Date.now()>": a skewed one must really be 90 s ahead.
      const childNow = await new Promise<number>((resolve, reject) => {
        child.stdout?.on("data", (d) => {
          const ready = /ready (\d+)/.exec(String(d));
          if (ready) resolve(Number(ready[1]));
        });
        child.on("exit", (code) => reject(new Error(`worker ${i + 1} exited with ${code}`)));
      });
      assertClockSkewed(childNow, skewed ? 90 : 0, `sched-worker-${i + 1}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

describe("firing", () => {
  test.skipIf(skipSkewed)(
    "three workers (one 90 s fast) run each tick exactly once, on time, with no gaps; pause stops it",
    async () => {
      assertPremise(noSkew);
      const logFile = join(mkdtempSync(join(tmpdir(), "durably-sched-")), "ticks.log");
      const stopWorkers = await startWorkers(logFile);
      const { ctx } = context();
      await launch(ctx);
      try {
        await applySchedules(ctx, [
          { name: "every-second", workflow: "tick", cron: "* * * * * *", context: { team: "ops" } },
        ]);
        await expect
          .poll(() => (existsSync(logFile) ? readFileSync(logFile, "utf8").trim().split("\n").length : 0), {
            timeout: 20_000,
            interval: 200,
          })
          .toBeGreaterThanOrEqual(5);
        await pauseSchedule(ctx, "every-second");
        await new Promise((resolve) => setTimeout(resolve, 1000)); // workers see the pause
        // Every tick enqueued so far has run.
        await expect
          .poll(
            async () =>
              (await listWorkflows(ctx, { workflowIDPrefix: "sched-every-second-", status: ["ENQUEUED", "PENDING"] }))
                .length,
            { timeout: 15_000 },
          )
          .toBe(0);
        const enqueued = (await listWorkflows(ctx, { workflowIDPrefix: "sched-every-second-" })).map(
          (w) => w.workflowID,
        );
        const runs = readFileSync(logFile, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { at: string; executorId: string; context: unknown });
        const times = runs.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
        expect(new Set(times).size).toBe(times.length); // each tick ran once
        expect(times.length).toBe(enqueued.length);
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(1000); // no gaps
        expect(times[times.length - 1]!).toBeLessThanOrEqual(Date.now()); // none fired early by the fast clock
        expect(runs[0]!.context).toEqual({ team: "ops" });
        // Paused: nothing new fires.
        const before = runs.length;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(readFileSync(logFile, "utf8").trim().split("\n").length).toBe(before);
        await resumeSchedule(ctx, "every-second");
        await expect
          .poll(() => readFileSync(logFile, "utf8").trim().split("\n").length, { timeout: 10_000 })
          .toBeGreaterThan(before);
        await deleteSchedule(ctx, "every-second");
      } finally {
        await shutdown(ctx);
        await stopWorkers();
      }
    },
    60_000,
  );
});

describe("backfill", () => {
  test("backfillSchedule enqueues exactly the ticks in the range, once, however often it is called", async () => {
    const { ctx } = context();
    await launch(ctx);
    try {
      await createSchedule(ctx, { name: "per-second", workflow: "tick", cron: "* * * * * *" });
      const from = new Date("2026-01-01T00:00:00Z");
      const to = new Date("2026-01-01T00:00:05Z");
      const first = await backfillSchedule(ctx, "per-second", from, to);
      const again = await backfillSchedule(ctx, "per-second", from, to);
      expect(first.map((h) => h.workflowID)).toEqual(
        [0, 1, 2, 3, 4].map((s) => tickWorkflowID("per-second", new Date(from.getTime() + s * 1000))),
      );
      expect(again.map((h) => h.workflowID)).toEqual(first.map((h) => h.workflowID));
      const rows = await listWorkflows(ctx, { workflowIDPrefix: "sched-per-second-" });
      expect(rows).toHaveLength(5);
      await expect(createSchedule(ctx, { name: "per-second", workflow: "tick", cron: "* * * * *" })).rejects.toSatisfy(
        (e) => isDurablyError(e, "REGISTRATION"),
      );
      const triggered = await triggerSchedule(ctx, "per-second");
      expect(triggered.workflowID).toMatch(/^sched-per-second-trigger-/);
    } finally {
      await shutdown(ctx);
    }
  });

  test("automaticBackfill runs the ticks missed while no worker ran, and only those", async () => {
    const { ctx } = context();
    await launch(ctx);
    const lastFired = new Date(Math.floor(Date.now() / 1000) * 1000 - 4000);
    try {
      await createSchedule(ctx, { name: "catch-up", workflow: "tick", cron: "* * * * * *", automaticBackfill: true });
      const sysdb = openSystemDatabase({ url: db.url, poolSize: 1 });
      await sysdb.sql`update dbos.workflow_schedules set last_fired_at = ${lastFired.toISOString()}, status = 'PAUSED'
        where schedule_name = 'catch-up'`;
      await sysdb.close();
    } finally {
      await shutdown(ctx);
    }
    const worker = context();
    startScheduler(worker.ctx, { pollingIntervalMs: 200 });
    await launch(worker.ctx);
    try {
      const startedAt = Date.now();
      await resumeSchedule(worker.ctx, "catch-up");
      await expect
        .poll(async () => (await getSchedule(worker.ctx, "catch-up")).lastFiredAt!.getTime() >= startedAt - 1000, {
          timeout: 10_000,
        })
        .toBe(true);
      await pauseSchedule(worker.ctx, "catch-up");
      const ids = (await listWorkflows(worker.ctx, { workflowIDPrefix: "sched-catch-up-" }))
        .map((w) => w.workflowID)
        .sort();
      const expected = [1, 2, 3].map((s) => tickWorkflowID("catch-up", new Date(lastFired.getTime() + s * 1000)));
      expect(ids.slice(0, 3)).toEqual(expected); // the missed ticks right after the last one, none before
      expect(ids).not.toContain(tickWorkflowID("catch-up", lastFired));
    } finally {
      await shutdown(worker.ctx);
    }
  });
});

describe("calendar and validation", () => {
  test("DST: hourly ticks skip the missing hour, and a daily tick in the missing hour runs once", async () => {
    const { ctx } = context();
    await launch(ctx);
    try {
      await createSchedule(ctx, {
        name: "hourly-berlin",
        workflow: "tick",
        cron: "0 0 * * * *",
        timezone: "Europe/Berlin",
      });
      await createSchedule(ctx, {
        name: "daily-0230-berlin",
        workflow: "tick",
        cron: "30 2 * * *",
        timezone: "Europe/Berlin",
      });
      // Spring forward: 02:00 CET becomes 03:00 CEST at 01:00Z on 2026-03-29.
      const hourly = await backfillSchedule(
        ctx,
        "hourly-berlin",
        new Date("2026-03-28T23:00:00Z"),
        new Date("2026-03-29T03:00:00Z"),
      );
      expect(hourly.map((h) => h.workflowID.slice("sched-hourly-berlin-".length))).toEqual([
        "2026-03-28T23:00:00.000Z", // 00:00 CET
        "2026-03-29T00:00:00.000Z", // 01:00 CET
        "2026-03-29T01:00:00.000Z", // 03:00 CEST: 02:00 does not exist
        "2026-03-29T02:00:00.000Z", // 04:00 CEST
      ]);
      const daily = await backfillSchedule(
        ctx,
        "daily-0230-berlin",
        new Date("2026-03-28T00:00:00Z"),
        new Date("2026-03-31T00:00:00Z"),
      );
      expect(daily.map((h) => h.workflowID.slice("sched-daily-0230-berlin-".length))).toEqual([
        "2026-03-28T01:30:00.000Z", // 02:30 CET
        "2026-03-29T01:00:00.000Z", // 02:30 does not exist that day: it runs at 03:00 CEST, once
        "2026-03-30T00:30:00.000Z", // 02:30 CEST
      ]);
    } finally {
      await shutdown(ctx);
    }
  });

  test("invalid cron expressions and unknown time zones are rejected at creation, naming the field", async () => {
    const { ctx } = context();
    await launch(ctx);
    try {
      for (const cron of ["61 * * * *", "* * *", "", "* * * * * * *"]) {
        const error = await createSchedule(ctx, { name: "bad", workflow: "tick", cron }).catch((e: unknown) => e);
        expect(isDurablyError(error, "INVALID_ARGUMENT")).toBe(true);
        expect((error as Error).message).toContain("cron");
      }
      const error = await createSchedule(ctx, {
        name: "bad",
        workflow: "tick",
        cron: "* * * * *",
        timezone: "Mars/Olympus",
      }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/timezone "Mars\/Olympus"/);
      expect((await listSchedules(ctx)).map((s) => s.name)).not.toContain("bad");
      await expect(getSchedule(ctx, "bad")).rejects.toSatisfy((e) => isDurablyError(e, "SCHEDULE_NOT_FOUND"));
    } finally {
      await shutdown(ctx);
    }
  });

  test("a schedule whose workflow is not registered in this process is reported, and its ticks wait", async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...quiet, warn: (message) => void warnings.push(message) };
    const { ctx } = context(logger);
    startScheduler(ctx, { pollingIntervalMs: 200 });
    await launch(ctx);
    try {
      await createSchedule(ctx, { name: "orphan-schedule", workflow: "notRegisteredAnywhere", cron: "* * * * * *" });
      await expect
        .poll(() => warnings.some((w) => w.includes("not registered in this process")), { timeout: 5_000 })
        .toBe(true);
      await expect
        .poll(async () => (await listWorkflows(ctx, { workflowIDPrefix: "sched-orphan-schedule-" })).length, {
          timeout: 5_000,
        })
        .toBeGreaterThan(0);
      const [waiting] = await listWorkflows(ctx, { workflowIDPrefix: "sched-orphan-schedule-" });
      expect(waiting?.status).toBe("ENQUEUED");
      await deleteSchedule(ctx, "orphan-schedule");
    } finally {
      await shutdown(ctx);
    }
  });
});
