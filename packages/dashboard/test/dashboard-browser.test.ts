// The dashboard in a real browser (Debian's Chromium via playwright-core) against a live worker
// process: listing and filtering, a live timeline, cancel, fork from step 2, bulk cancel after a
// dry run, values rendered as text, and pausing and resuming a queue.
import type { DBOSContext } from "@durably/core";
import { enqueueWorkflow, listWorkflows, shutdown } from "@durably/core";
import { send } from "@durably/notifications";
import { retrieveQueue } from "@durably/queues";
import { migratedTemplate } from "@durably/sysdb";
// Renamed: Biome takes use* calls in this React package for hooks.
import { useTestDatabase as testDatabase } from "@durably/testing/vitest";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startDashboardServer, type DashboardServer } from "../src/index.js";
import { seedWorkflowsAt } from "./support/seed-workflows.js";
import { connectClient, launchChromium, startWorker, waitForStatus, type LiveWorker } from "./support/live-setup.js";

const db = testDatabase({ template: migratedTemplate });
let worker: LiveWorker;
let client: DBOSContext;
let server: DashboardServer;
let browser: BrowserContext;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  worker = await startWorker(db.url);
  client = await connectClient(db.url);
  server = await startDashboardServer(client, { port: 0, probeIntervalMs: 200 });
  ({ browser, close: closeBrowser } = await launchChromium());
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
  await worker?.stop();
  if (client) await shutdown(client);
}, 60_000);

async function open(hash: string): Promise<Page> {
  const page = await browser.newPage();
  page.on("pageerror", (error) => process.stderr.write(`[page] ${error.message}\n`));
  page.on("response", (r) => {
    if (r.status() >= 400) process.stderr.write(`[page] ${r.status()} ${r.url()}\n`);
  });
  await page.goto(`${server.url}#${hash}`);
  return page;
}

test("the list shows running workflows and filters them, the filter in the URL", async () => {
  await worker.start("gated", "list-running", 2);
  await worker.start("counted", "list-done", 1);
  await waitForStatus(client, "list-done", "SUCCESS");
  const page = await open("/");
  await page.locator('tr[data-workflow-id="list-running"]').waitFor();
  await page.locator('tr[data-workflow-id="list-done"]').waitFor();
  await expect(page.locator('tr[data-workflow-id="list-running"] .badge').textContent()).resolves.toBe("PENDING");
  await page.locator('input[name="status-PENDING"]').check();
  // The old rows go when the filter changes; the filtered page then holds only the running one.
  await page.locator('tr[data-workflow-id="list-done"]').waitFor({ state: "detached" });
  await page.locator('tr[data-workflow-id="list-running"]').waitFor();
  await expect(page.locator('tr[data-workflow-id="list-done"]').count()).resolves.toBe(0);
  expect(new URL(page.url()).hash).toContain("status=PENDING");
  // A shared link opens the same view.
  const shared = await open(new URL(page.url()).hash.slice(1));
  await shared.locator('tr[data-workflow-id="list-running"]').waitFor();
  await expect(shared.locator('tr[data-workflow-id="list-done"]').count()).resolves.toBe(0);
  await page.close();
  await shared.close();
  worker.open("list-running", 0);
  worker.open("list-running", 1);
  await waitForStatus(client, "list-running", "SUCCESS");
}, 90_000);

test("a workflow's timeline gains a step live as it commits", async () => {
  await worker.start("gated", "live-1", 3);
  const page = await open("/workflow/live-1");
  await page.locator('[data-testid="timeline"]').waitFor();
  await expect(page.locator("tr[data-step-id]").count()).resolves.toBe(0);
  await page.evaluate(() => {
    (globalThis as unknown as { marker: number }).marker = 1;
  });
  worker.open("live-1", 0);
  await page.locator('tr[data-step-id="0"]').waitFor({ timeout: 20_000 });
  worker.open("live-1", 1);
  await page.locator('tr[data-step-id="1"]').waitFor({ timeout: 20_000 });
  await expect(page.locator("svg text", { hasText: "gated-step-1" }).count()).resolves.toBeGreaterThan(0);
  // No reload happened: the marker set before the steps committed is still there.
  await expect(page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).resolves.toBe(1);
  worker.open("live-1", 2);
  await waitForStatus(client, "live-1", "SUCCESS");
  await page.locator(".workflow h2 .badge", { hasText: "SUCCESS" }).waitFor({ timeout: 20_000 });
  await page.close();
}, 90_000);

test("cancel from the UI cancels the workflow", async () => {
  await worker.start("gated", "cancel-1", 2);
  const page = await open("/workflow/cancel-1");
  await page.getByRole("button", { name: "Cancel", exact: true }).click();
  await page.locator('[data-testid="confirm"]').click();
  await waitForStatus(client, "cancel-1", "CANCELLED");
  await page.locator(".workflow h2 .badge", { hasText: "CANCELLED" }).waitFor({ timeout: 20_000 });
  worker.open("cancel-1", 0);
  worker.open("cancel-1", 1);
  await page.close();
}, 90_000);

test("fork from step 2 re-runs exactly steps 2 and later", async () => {
  await worker.start("counted", "fork-src", 4);
  await waitForStatus(client, "fork-src", "SUCCESS");
  expect(worker.ran("fork-src")).toEqual([0, 1, 2, 3]);
  const page = await open("/workflow/fork-src");
  await page.locator('tr[data-step-id="3"]').waitFor();
  await page.locator('input[name="fork-step"]').fill("2");
  await page.getByRole("button", { name: "Fork…" }).click();
  await page.locator('[data-testid="confirm"]').click();
  await page.waitForFunction(
    () => !(globalThis as unknown as { location: { hash: string } }).location.hash.endsWith("/fork-src"),
  );
  const forkID = decodeURIComponent(new URL(page.url()).hash.replace("#/workflow/", ""));
  expect(forkID).not.toBe("fork-src");
  await waitForStatus(client, forkID, "SUCCESS");
  expect(worker.ran(forkID)).toEqual([2, 3]);
  expect(worker.ran("fork-src")).toEqual([0, 1, 2, 3]);
  await page.locator('[data-testid="workflow-id"]', { hasText: forkID }).waitFor();
  await page.close();
}, 90_000);

test("bulk cancel shows the dry run's count, then cancels exactly those", async () => {
  for (const id of ["bulk-1", "bulk-2", "bulk-3", "other-1"]) await worker.start("gated", id, 1);
  const page = await open("/?prefix=bulk-&status=PENDING");
  await page.locator('tr[data-workflow-id="bulk-3"]').waitFor();
  await page.getByRole("button", { name: "Cancel all matching…" }).click();
  await expect(page.locator('[data-testid="bulk-count"]').textContent()).resolves.toContain("matches 3");
  await page.locator('[data-testid="confirm"]').click();
  await page.locator(".note", { hasText: "Cancelled 3 of 3" }).waitFor();
  for (const id of ["bulk-1", "bulk-2", "bulk-3"]) await waitForStatus(client, id, "CANCELLED");
  const [other] = await listWorkflows(client, { workflowIDs: ["other-1"] });
  expect(other?.status).toBe("PENDING");
  for (const id of ["bulk-1", "bulk-2", "bulk-3", "other-1"]) worker.open(id, 0);
  await waitForStatus(client, "other-1", "SUCCESS");
  await page.close();
}, 90_000);

test("a <script> output renders as text, and typed values keep their types", async () => {
  const hostile = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">';
  await worker.start("hostile", "xss-1", hostile);
  await waitForStatus(client, "xss-1", "SUCCESS");
  const page = await open("/workflow/xss-1");
  const output = page.locator('[data-testid="output"]');
  await output.getByText(hostile, { exact: false }).first().waitFor();
  await expect(output.textContent()).resolves.toContain("[Set(2)]");
  await expect(output.textContent()).resolves.toContain("[BigInt] 12345678901234567890n");
  await expect(output.textContent()).resolves.toContain("[Date] 2026-01-02T00:00:00.000Z");
  await expect(page.locator("img[src=x]").count()).resolves.toBe(0);
  await expect(page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).resolves.toBeUndefined();
  await page.close();
}, 90_000);

test("events, messages and a live tail of an open stream", async () => {
  await worker.start("talker", "talk-1", null);
  const page = await open("/workflow/talk-1");
  await page.locator('[data-testid="events"]', { hasText: "progress" }).waitFor({ timeout: 20_000 });
  await page.locator('[data-testid="streams"] tr[data-stream-offset="0"]', { hasText: "line 0" }).waitFor();
  await send(client, "talk-1", { hello: "there" }, { topic: "greeting" });
  await page.locator('[data-testid="messages"]', { hasText: "greeting" }).waitFor({ timeout: 20_000 });
  worker.open("talk-1", 0);
  await page.locator('[data-testid="streams"] tr[data-stream-offset="1"]', { hasText: "line 1" }).waitFor({
    timeout: 20_000,
  });
  await waitForStatus(client, "talk-1", "SUCCESS");
  await page.close();
}, 90_000);

test("a workflow page with 1,000 steps shows every step as it scrolls to the last one, and opens a step's value", async () => {
  await seedWorkflowsAt(db.url, { workflows: 1, stepsPer: 1000 });
  // The page's API lists the steps without their payloads.
  const api = (await (await fetch(new URL("api/workflows/seed-00000001", server.url))).json()) as {
    steps: Array<Record<string, unknown>>;
  };
  expect(api.steps).toHaveLength(1000);
  expect(api.steps[999]).toMatchObject({ stepID: 999, name: "step-999", failed: false });
  expect(api.steps.some((s) => "output" in s || "error" in s)).toBe(false);
  const page = await open("/workflow/seed-00000001");
  await page.locator('tr[data-step-id="0"]').waitFor();
  await expect(page.locator("h3", { hasText: "Steps (1000)" }).count()).resolves.toBe(1);
  // Only the rows near the viewport are in the page; scrolling brings each one in turn.
  const rendered = await page.locator("tr[data-step-id]").count();
  expect(rendered).toBeLessThan(200);
  const seen = new Set<number>();
  for (let i = 0; i < 400 && !seen.has(999); i++) {
    const ids = await page
      .locator("tr[data-step-id]")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-step-id")));
    for (const id of ids) seen.add(Number(id));
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(20);
  }
  await page.locator('tr[data-step-id="999"]').scrollIntoViewIfNeeded();
  await expect(page.locator('tr[data-step-id="999"]').isVisible()).resolves.toBe(true);
  expect([...Array(1000).keys()].filter((i) => !seen.has(i))).toEqual([]);
  // A step's output is read only when its row is opened.
  const last = page.locator('tr[data-step-id="999"]');
  await last.getByRole("button", { name: "show output" }).click();
  await last.locator('[data-testid="step-value"]', { hasText: "999" }).waitFor();
  // The waterfall draws the bars in its own scrolling box, not all 1,000.
  const bars = await page.locator('[data-testid="timeline"] .recharts-bar-rectangle').count();
  expect(bars).toBeGreaterThan(0);
  expect(bars).toBeLessThan(200);
  await page.close();
}, 120_000);

test("a closed tab's watch goes with it: the server stops its watch query (read-only mode watches too)", async () => {
  const own = await startDashboardServer(client, { port: 0, probeIntervalMs: 100, readOnly: true });
  try {
    await worker.start("gated", "watch-1", 1);
    expect(own.liveStats()).toMatchObject({ tabs: 0, watchedWorkflows: 0, watchQueries: 0 });
    const page = await browser.newPage();
    await page.goto(`${own.url}#/workflow/watch-1`);
    await page.locator('[data-testid="workflow-id"]', { hasText: "watch-1" }).waitFor();
    await expect.poll(() => own.liveStats().watchedWorkflows, { timeout: 10_000 }).toBe(1);
    expect(own.liveStats().tabs).toBe(1);
    const before = own.liveStats().watchQueries;
    await expect.poll(() => own.liveStats().watchQueries, { timeout: 10_000 }).toBeGreaterThan(before + 2);
    // The watch query is what brings a committed step to the page (no NOTIFY announces it).
    await expect(page.locator("tr[data-step-id]").count()).resolves.toBe(0);
    worker.open("watch-1", 0);
    await page.locator('tr[data-step-id="0"]').waitFor({ timeout: 20_000 });
    // The watch follows the page: the list shows every workflow and watches none by ID.
    await page.goto(`${own.url}#/`);
    await expect.poll(() => own.liveStats().watchedWorkflows, { timeout: 10_000 }).toBe(0);
    await page.goto(`${own.url}#/workflow/watch-1`);
    await expect.poll(() => own.liveStats().watchedWorkflows, { timeout: 10_000 }).toBe(1);
    await page.close();
    await expect.poll(() => own.liveStats().tabs, { timeout: 10_000 }).toBe(0);
    expect(own.liveStats().watchedWorkflows).toBe(0);
    const stopped = own.liveStats();
    await new Promise((r) => setTimeout(r, 1_000)); // ten intervals
    expect(own.liveStats().watchQueries).toBe(stopped.watchQueries);
    expect(own.liveStats().changeProbes).toBe(stopped.changeProbes);
  } finally {
    await own.close();
    worker.open("watch-1", 0);
    await waitForStatus(client, "watch-1", "SUCCESS");
  }
}, 90_000);

test("the queues page shows a queue's depth, and the workers page the live worker", async () => {
  // Nobody serves this queue, so what is enqueued on it waits there.
  for (const id of ["queued-1", "queued-2"]) {
    await enqueueWorkflow(client, "counted", 1, { queue: "unserved-q", workflowID: id });
  }
  const page = await open("/queues");
  const row = page.locator('tr[data-queue="unserved-q"]');
  await row.waitFor();
  await expect(row.locator("td").nth(1).textContent()).resolves.toBe("2");
  await expect(row.textContent()).resolves.toContain("not registered");
  await page.goto(`${server.url}#/workers`);
  await page.locator('tr[data-state="live"]', { hasText: "dash-test" }).waitFor();
  await page.locator("td", { hasText: "d-v1" }).first().waitFor();
  await page.close();
}, 90_000);

test("child workflows show as a tree that unfolds, with links", async () => {
  await worker.start("family", "fam-1", null);
  await waitForStatus(client, "fam-1", "SUCCESS");
  const page = await open("/workflow/fam-1");
  const child = page.locator('[data-testid="children"] li[data-child-id="fam-1-child"]');
  await child.waitFor();
  await child.getByRole("button", { name: "children" }).first().click();
  const grandchild = child.locator('li[data-child-id="fam-1-child-grandchild"]');
  await grandchild.waitFor();
  await grandchild.getByRole("link", { name: "fam-1-child-grandchild" }).click();
  await page.locator('[data-testid="workflow-id"]', { hasText: "fam-1-child-grandchild" }).waitFor();
  await page.close();
}, 90_000);

test("a queue paused from the UI starts nothing enqueued on it until resumed from the UI", async () => {
  // Premise: the worker serves dash-q, so what is enqueued on it runs.
  await enqueueWorkflow(client, "counted", 1, { queue: "dash-q", workflowID: "q-before" });
  await waitForStatus(client, "q-before", "SUCCESS");
  const page = await open("/queues");
  const row = page.locator('tr[data-queue="dash-q"]');
  await row.getByRole("button", { name: "Pause" }).click();
  await page.locator('input[name="pause-reason"]').fill("maintenance");
  await page.locator('[data-testid="confirm"]').click();
  await row.locator('[data-testid="paused"]', { hasText: "PAUSED: maintenance" }).waitFor({ timeout: 20_000 });
  expect((await retrieveQueue(client, "dash-q")).paused?.reason).toBe("maintenance");
  await enqueueWorkflow(client, "counted", 1, { queue: "dash-q", workflowID: "q-held" });
  // The worker polls every 100 ms; twenty polls later it still has not started it.
  await new Promise((r) => setTimeout(r, 2_000));
  const [held] = await listWorkflows(client, { workflowIDs: ["q-held"] });
  expect(held?.status).toBe("ENQUEUED");
  expect(worker.ran("q-held")).toEqual([]);
  await row.getByRole("button", { name: "Resume" }).click();
  await page.locator('[data-testid="confirm"]').click();
  await row.locator('[data-testid="paused"]').waitFor({ state: "detached", timeout: 20_000 });
  expect((await retrieveQueue(client, "dash-q")).paused).toBeUndefined();
  await waitForStatus(client, "q-held", "SUCCESS");
  expect(worker.ran("q-held")).toEqual([0]);
  // A queue with no definition is the API's 404, naming the code.
  const missing = await fetch(new URL("api/queues/no-such-q/pause", server.url), {
    method: "POST",
    headers: { "content-type": "application/json", "x-durably-token": "-" },
    body: "{}",
  });
  expect(missing.status).toBe(404);
  await expect(missing.json()).resolves.toMatchObject({ code: "QUEUE_NOT_FOUND" });
  await page.close();
}, 90_000);
