// The schedules page in Chromium against a live worker process: next fire times, and pause, resume,
// trigger and backfill a range, each behind a confirmation, their effect read back from the database.
import type { DBOSContext } from "@durably/core";
import { listWorkflows, shutdown } from "@durably/core";
import { createSchedule, getSchedule, tickWorkflowID } from "@durably/scheduler";
import { migratedTemplate } from "@durably/sysdb";
// Renamed: Biome takes use* calls in this React package for hooks.
import { useTestDatabase as testDatabase } from "@durably/testing/vitest";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import { startDashboardServer, type DashboardServer } from "../src/index.js";
import { connectClient, launchChromium, startWorker, waitForStatus, type LiveWorker } from "./support/live-setup.js";

const db = testDatabase({ template: migratedTemplate });
let worker: LiveWorker;
let client: DBOSContext;
let server: DashboardServer;
let browser: BrowserContext;
let closeBrowser: () => Promise<void>;
let page: Page;

beforeAll(async () => {
  worker = await startWorker(db.url);
  client = await connectClient(db.url);
  await createSchedule(client, { name: "hourly-report", workflow: "ticked", cron: "0 * * * *" });
  await createSchedule(client, {
    name: "berlin-night",
    workflow: "ticked",
    cron: "30 2 * * *",
    timezone: "Europe/Berlin",
  });
  server = await startDashboardServer(client, { port: 0, probeIntervalMs: 200 });
  ({ browser, close: closeBrowser } = await launchChromium());
}, 120_000);

beforeEach(async () => {
  page = await browser.newPage();
  page.on("pageerror", (error) => process.stderr.write(`[page] ${error.message}\n`));
  await page.goto(`${server.url}#/schedules`);
});

afterEach(async () => {
  await page.close();
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
  await worker?.stop();
  if (client) await shutdown(client);
}, 60_000);

const row = (name: string) => page.locator(`tr[data-schedule="${name}"]`);
const shownFireTimes = (r: Locator) =>
  r.locator('[data-testid="next-fire"] time').evaluateAll((ts) => ts.map((t) => t.getAttribute("datetime")));

async function confirm(r: Locator, button: string): Promise<void> {
  await r.getByRole("button", { name: button, exact: true }).click();
  await page.locator('[data-testid="confirm"]').click();
}

test("next fire times: the next three ticks of each schedule, in its time zone", async () => {
  const hour = 3_600_000;
  const before = Date.now();
  await page.reload();
  await row("hourly-report").locator('[data-testid="next-fire"] time').first().waitFor();
  const after = Date.now();
  const nextHours = (now: number) => [1, 2, 3].map((k) => new Date((Math.floor(now / hour) + k) * hour).toISOString());
  // The page read the clock between `before` and `after`: an hour may have turned in between.
  expect([nextHours(before), nextHours(after)]).toContainEqual(await shownFireTimes(row("hourly-report")));
  const berlin = (await shownFireTimes(row("berlin-night"))).map((t) => new Date(t!));
  expect(berlin).toHaveLength(3);
  const local = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", minute: "2-digit" });
  expect(berlin.map((d) => local.format(d))).toEqual(["02:30", "02:30", "02:30"]);
  expect(berlin[0]!.getTime()).toBeGreaterThan(before);
  expect(berlin[0]!.getTime()).toBeLessThanOrEqual(after + 25 * hour);
  expect(berlin[1]!.getTime()).toBeGreaterThan(berlin[0]!.getTime());
  expect(berlin[2]!.getTime()).toBeGreaterThan(berlin[1]!.getTime());
}, 60_000);

test("pause and resume, each behind a confirmation; Back changes nothing", async () => {
  const r = row("hourly-report");
  await r.locator('[data-testid="schedule-status"]', { hasText: "ACTIVE" }).waitFor();
  await r.getByRole("button", { name: "Pause", exact: true }).click();
  await page.getByRole("dialog", { name: "Pause schedule hourly-report?" }).waitFor();
  await page.getByRole("button", { name: "Back", exact: true }).click();
  await page.getByRole("dialog").waitFor({ state: "detached" });
  expect((await getSchedule(client, "hourly-report")).status).toBe("ACTIVE");

  await confirm(r, "Pause");
  await r.locator('[data-testid="schedule-status"]', { hasText: "PAUSED" }).waitFor();
  expect((await getSchedule(client, "hourly-report")).status).toBe("PAUSED");
  // A paused schedule fires at no time; the other one is untouched.
  await expect(shownFireTimes(r)).resolves.toEqual([]);
  expect((await getSchedule(client, "berlin-night")).status).toBe("ACTIVE");

  await confirm(r, "Resume");
  await r.locator('[data-testid="schedule-status"]', { hasText: "ACTIVE" }).waitFor();
  expect((await getSchedule(client, "hourly-report")).status).toBe("ACTIVE");
  await r.locator('[data-testid="next-fire"] time').first().waitFor();
}, 60_000);

test("trigger runs the schedule's workflow once, now", async () => {
  const r = row("hourly-report");
  await r.waitFor();
  const started = Date.now();
  await confirm(r, "Trigger");
  const note = page.locator('[data-testid="schedule-note"]', { hasText: "Started sched-hourly-report-trigger-" });
  await note.waitFor();
  const id = (await note.textContent())!.replace(/^Started /, "").replace(/\.$/, "");
  await waitForStatus(client, id, "SUCCESS");
  expect(worker.ran(id)).toEqual([0]);
  const [run] = await listWorkflows(client, { workflowIDs: [id], loadPayloads: true });
  const scheduledTime = run?.output as Date;
  expect(scheduledTime.getTime()).toBeGreaterThanOrEqual(started - 5_000);
  const triggered = await listWorkflows(client, { workflowIDPrefix: "sched-hourly-report-trigger-" });
  expect(triggered.map((w) => w.workflowID)).toEqual([id]);
}, 60_000);

test("backfill a range runs exactly the range's ticks, and again only those that have not run", async () => {
  const r = row("hourly-report");
  await r.waitFor();
  await page.locator('input[name="backfill-from"]').fill("2026-01-01T00:00Z");
  await page.locator('input[name="backfill-to"]').fill("2026-01-01T03:00Z");
  await r.getByRole("button", { name: "Backfill", exact: true }).click();
  await expect(page.locator('[data-testid="backfill-range"]').textContent()).resolves.toContain(
    "from 2026-01-01T00:00Z up to 2026-01-01T03:00Z",
  );
  await page.locator('[data-testid="confirm"]').click();
  await page.locator('[data-testid="schedule-note"]', { hasText: "Backfilled 3 ticks." }).waitFor();
  // [from, to): 00:00, 01:00 and 02:00, not 03:00.
  const ticks = ["00", "01", "02"].map((h) => tickWorkflowID("hourly-report", new Date(`2026-01-01T${h}:00Z`)));
  for (const id of ticks) {
    await waitForStatus(client, id, "SUCCESS");
    expect(worker.ran(id)).toEqual([0]);
  }
  const made = await listWorkflows(client, {
    workflowIDPrefix: "sched-hourly-report-2026-01-01",
    loadPayloads: true,
  });
  expect(made.map((w) => w.workflowID).sort()).toEqual(ticks);
  const second = made.find((w) => w.workflowID === ticks[1]);
  expect((second!.output as Date).toISOString()).toBe("2026-01-01T01:00:00.000Z");
  // A wider range adds only the tick that has not run; the others do not run again.
  await page.locator('input[name="backfill-to"]').fill("2026-01-01T04:00Z");
  await confirm(r, "Backfill");
  await page.locator('[data-testid="schedule-note"]', { hasText: "Backfilled 4 ticks." }).waitFor();
  const fourth = tickWorkflowID("hourly-report", new Date("2026-01-01T03:00Z"));
  await waitForStatus(client, fourth, "SUCCESS");
  for (const id of [...ticks, fourth]) expect(worker.ran(id)).toEqual([0]);
  // The schedule's name links to its runs in the list.
  await r.getByRole("link", { name: "hourly-report" }).click();
  await page.locator(`tr[data-workflow-id="${ticks[0]}"]`).waitFor();
}, 60_000);
