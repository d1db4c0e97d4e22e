// --read-only and --redact in Chromium against a live worker process: a read-only dashboard shows no
// action anywhere and its API refuses every POST with 403, leaving the database as it was; a redacted
// one shows and returns metadata only, never inputs, outputs, step values, events or a schedule's context.
import type { DBOSContext } from "@durably/core";
import { enqueueWorkflow, listWorkflows, shutdown } from "@durably/core";
import { retrieveQueue } from "@durably/queues";
import { createSchedule, getSchedule } from "@durably/scheduler";
import { migratedTemplate } from "@durably/sysdb";
// Renamed: Biome takes use* calls in this React package for hooks.
import { useTestDatabase as testDatabase } from "@durably/testing/vitest";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startDashboardServer, type DashboardServer } from "../src/index.js";
import { connectClient, launchChromium, startWorker, waitForStatus, type LiveWorker } from "./support/live-setup.js";

const db = testDatabase({ template: migratedTemplate });
let worker: LiveWorker;
let client: DBOSContext;
let readOnly: DashboardServer;
let redacted: DashboardServer;
let plain: DashboardServer;
let browser: BrowserContext;
let closeBrowser: () => Promise<void>;
const secret = "the secret input";

beforeAll(async () => {
  worker = await startWorker(db.url);
  client = await connectClient(db.url);
  await worker.start("hostile", "secret-1", secret);
  await worker.start("talker", "talk-1", null); // an event ({ done: 1, of: 2 }) and an open stream
  await worker.start("gated", "held-1", 1); // PENDING: something to cancel
  await enqueueWorkflow(client, "counted", 1, { queue: "dash-q", workflowID: "after-1" });
  await createSchedule(client, { name: "nightly", workflow: "ticked", cron: "0 2 * * *", context: { tenant: secret } });
  await waitForStatus(client, "secret-1", "SUCCESS");
  readOnly = await startDashboardServer(client, { port: 0, readOnly: true });
  redacted = await startDashboardServer(client, { port: 0, redact: true });
  plain = await startDashboardServer(client, { port: 0 });
  ({ browser, close: closeBrowser } = await launchChromium());
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  for (const server of [readOnly, redacted, plain]) await server?.close();
  worker?.open("held-1", 0);
  worker?.open("talk-1", 0);
  await worker?.stop();
  if (client) await shutdown(client);
}, 60_000);

const actionButton = /^(Cancel|Resume|Fork…|Pause|Trigger|Backfill|Cancel all matching…|Resume all matching…)$/;

async function open(server: DashboardServer, hash: string, ready: string): Promise<Page> {
  const page = await browser.newPage();
  page.on("pageerror", (error) => process.stderr.write(`[page] ${error.message}\n`));
  await page.goto(`${server.url}#${hash}`);
  await page.locator(ready).first().waitFor();
  return page;
}

/** The texts of every button on the page. */
const buttons = (page: Page) => page.locator("button").evaluateAll((bs) => bs.map((b) => b.textContent?.trim() ?? ""));

const pages: Array<[string, string]> = [
  ["/", 'tr[data-workflow-id="held-1"]'],
  ["/workflow/held-1", '[data-testid="workflow-id"]'],
  ["/queues", 'tr[data-queue="dash-q"]'],
  ["/schedules", 'tr[data-schedule="nightly"]'],
  ["/workers", "tr[data-state]"],
];

test("read-only: no action button on any page (the same pages have them otherwise)", async () => {
  for (const [hash, ready] of pages) {
    // Premise: without --read-only each page offers its actions, so their absence below means something.
    const full = await open(plain, hash, ready);
    const offered = (await buttons(full)).filter((b) => actionButton.test(b));
    if (hash !== "/workers") expect({ hash, offered: offered.length > 0 }).toEqual({ hash, offered: true });
    await full.close();
    const page = await open(readOnly, hash, ready);
    expect({ hash, actions: (await buttons(page)).filter((b) => actionButton.test(b)) }).toEqual({ hash, actions: [] });
    await expect(page.locator('input[name="fork-step"], input[name="backfill-from"]').count()).resolves.toBe(0);
    await page.close();
  }
}, 90_000);

test("read-only: every action POST answers 403 and changes nothing", async () => {
  const posts: Array<[string, unknown]> = [
    ["workflows/held-1/cancel", {}],
    ["workflows/secret-1/resume", {}],
    ["workflows/secret-1/fork", { startStep: 0 }],
    ["bulk/cancel", { filter: { status: "PENDING" }, dryRun: true }],
    ["bulk/cancel", { workflowIDs: ["held-1"] }],
    ["bulk/resume", { workflowIDs: ["secret-1"] }],
    ["queues/dash-q/pause", { reason: "no" }],
    ["queues/dash-q/resume", {}],
    ["schedules/nightly/pause", {}],
    ["schedules/nightly/resume", {}],
    ["schedules/nightly/trigger", {}],
    ["schedules/nightly/backfill", { from: "2026-01-01T00:00Z", to: "2026-01-03T00:00Z" }],
  ];
  const before = (await listWorkflows(client, {})).length;
  for (const [path, body] of posts) {
    const response = await fetch(new URL(`api/${path}`, readOnly.url), {
      method: "POST",
      headers: { "content-type": "application/json", "x-durably-token": "-" },
      body: JSON.stringify(body),
    });
    expect({ path, status: response.status }).toEqual({ path, status: 403 });
  }
  const [held] = await listWorkflows(client, { workflowIDs: ["held-1"] });
  expect(held?.status).toBe("PENDING");
  expect((await retrieveQueue(client, "dash-q")).paused).toBeUndefined();
  expect((await getSchedule(client, "nightly")).status).toBe("ACTIVE");
  expect(await listWorkflows(client, {})).toHaveLength(before);
  // Premise: the same POST acts on a dashboard that is not read-only.
  const allowed = await fetch(new URL("api/schedules/nightly/pause", plain.url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-durably-token": "-" },
    body: "{}",
  });
  expect(allowed.status).toBe(200);
  expect((await getSchedule(client, "nightly")).status).toBe("PAUSED");
  await fetch(new URL("api/schedules/nightly/resume", plain.url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-durably-token": "-" },
    body: "{}",
  });
}, 60_000);

test("redact: the pages show metadata, never inputs, outputs or values", async () => {
  // Premise: unredacted, the page shows the secret.
  const full = await open(plain, "/workflow/secret-1", '[data-testid="output"]');
  await full.getByText(secret).first().waitFor();
  await full.close();
  const page = await open(redacted, "/workflow/secret-1", '[data-testid="workflow-id"]');
  await page.locator(".workflow h2 .badge", { hasText: "SUCCESS" }).waitFor();
  await page.locator("tr[data-step-id]", { hasText: "echo" }).waitFor();
  await expect(page.locator('[data-testid="workflow-id"]').textContent()).resolves.toContain("secret-1");
  await expect(page.locator("body").textContent()).resolves.toContain("hostile");
  await expect(page.locator("body").textContent()).resolves.not.toContain(secret);
  await expect(page.locator('[data-testid="output"]').count()).resolves.toBe(0);
  const talk = await open(redacted, "/workflow/talk-1", '[data-testid="workflow-id"]');
  await talk.locator("tr[data-step-id]").first().waitFor();
  await expect(talk.locator("body").textContent()).resolves.not.toContain("line 0");
  const schedules = await open(redacted, "/schedules", 'tr[data-schedule="nightly"]');
  await expect(schedules.locator("body").textContent()).resolves.not.toContain(secret);
  for (const p of [page, talk, schedules]) await p.close();
}, 60_000);

test("redact: the API returns no input, output, step value, event value or schedule context", async () => {
  const get = async (server: DashboardServer, path: string) => {
    const response = await fetch(new URL(`api/${path}`, server.url));
    return { status: response.status, text: await response.text() };
  };
  // Premise: unredacted, each of these answers carries the values.
  expect((await get(plain, "workflows/secret-1")).text).toContain(secret);
  expect((await get(plain, "workflows/secret-1/steps/0")).text).toContain(secret);
  expect((await get(plain, "workflows/talk-1")).text).toContain('"done"');
  expect((await get(plain, "schedules")).text).toContain(secret);
  const detail = await get(redacted, "workflows/secret-1");
  expect(detail.status).toBe(200);
  expect(JSON.parse(detail.text)).toMatchObject({ workflow: { workflowID: "secret-1", status: "SUCCESS" } });
  expect(detail.text).not.toContain(secret);
  for (const key of ['"input"', '"output"', '"error"']) expect(detail.text).not.toContain(key);
  expect(await get(redacted, "workflows/secret-1/steps/0")).toMatchObject({ status: 403 });
  const talk = await get(redacted, "workflows/talk-1");
  expect(talk.text).toContain('"progress"');
  expect(talk.text).not.toContain('"done"');
  expect(talk.text).not.toContain("line 0");
  const schedules = await get(redacted, "schedules");
  expect(schedules.text).toContain('"nightly"');
  expect(schedules.text).not.toContain(secret);
  expect(schedules.text).not.toContain('"context"');
  const list = await get(redacted, "workflows?prefix=secret-");
  expect(list.text).toContain('"secret-1"');
  expect(list.text).not.toContain(secret);
}, 60_000);
