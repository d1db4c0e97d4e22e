// The workers and versions page in Chromium against live worker processes: a live executor and one
// SIGKILLed until its lease lapsed, each with the PENDING workflows it owns (a link lists them); versions
// with their pending counts, and whether a live worker serves them (the dead worker's version does not).
import type { DBOSContext } from "@durably/core";
import { listExecutors, shutdown } from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
// Renamed: Biome takes use* calls in this React package for hooks.
import { useTestDatabase as testDatabase } from "@durably/testing/vitest";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startDashboardServer, type DashboardServer } from "../src/index.js";
import { connectClient, launchChromium, startWorker, waitForStatus, type LiveWorker } from "./support/live-setup.js";

const db = testDatabase({ template: migratedTemplate });
let live: LiveWorker;
let doomed: LiveWorker;
let client: DBOSContext;
let server: DashboardServer;
let browser: BrowserContext;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  [live, doomed] = await Promise.all([
    startWorker(db.url, { executorId: "live-exec" }),
    startWorker(db.url, {
      executorId: "doomed-exec",
      applicationVersion: "d-v3",
      leaseRenewMs: 1000,
      leaseLapseMs: 5000,
    }),
  ]);
  client = await connectClient(db.url);
  await live.start("gated", "live-own-1", 1);
  await live.start("gated", "live-own-2", 1);
  await live.start("counted", "live-done", 1);
  await waitForStatus(client, "live-done", "SUCCESS");
  await doomed.start("gated", "doomed-own-1", 1);
  await doomed.kill();
  // Premise: the killed worker's lease lapses (5 s without renewal) while it still owns its workflow. The
  // live worker forgets an ended lease six lapses (30 s) later: long after these tests read it.
  for (let i = 0; i < 200; i++) {
    const executors = await listExecutors(client);
    if (executors.find((e) => e.executorID === "doomed-exec")?.state === "lapsed") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const states = (await listExecutors(client)).map((e) => [e.executorID, e.state]);
  expect(states).toContainEqual(["doomed-exec", "lapsed"]);
  expect(states).toContainEqual(["live-exec", "live"]);
  server = await startDashboardServer(client, { port: 0, probeIntervalMs: 200 });
  ({ browser, close: closeBrowser } = await launchChromium());
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
  live?.open("live-own-1", 0);
  live?.open("live-own-2", 0);
  await Promise.all([live?.stop(), doomed?.stop()]);
  if (client) await shutdown(client);
}, 60_000);

async function open(): Promise<Page> {
  const page = await browser.newPage();
  page.on("pageerror", (error) => process.stderr.write(`[page] ${error.message}\n`));
  await page.goto(`${server.url}#/workers`);
  return page;
}

const cells = (row: Locator) => row.locator("td").evaluateAll((tds) => tds.map((td) => td.textContent?.trim()));

test("live and lapsed executors, each with the workflows it owns, listed by its link", async () => {
  const page = await open();
  const liveRow = page.locator('tr[data-state="live"]', { hasText: "live-exec" });
  const lapsedRow = page.locator('tr[data-state="lapsed"]', { hasText: "doomed-exec" });
  await liveRow.waitFor();
  await lapsedRow.waitFor();
  const liveCells = await cells(liveRow);
  expect(liveCells[1]).toBe("live");
  expect(liveCells[2]).toBe("dash-test / d-v1");
  expect(liveCells.at(-1)).toBe("2 pending");
  const lapsedCells = await cells(lapsedRow);
  expect(lapsedCells[1]).toBe("lapsed");
  expect(lapsedCells[2]).toBe("dash-test / d-v3");
  expect(lapsedCells.at(-1)).toBe("1 pending");
  await lapsedRow.getByRole("link", { name: "1 pending" }).click();
  await expect
    .poll(() => page.locator("tr[data-workflow-id]").evaluateAll((rs) => rs.map((r) => r.dataset.workflowId)))
    .toEqual(["doomed-own-1"]);
  await page.goto(`${server.url}#/workers`);
  await liveRow.getByRole("link", { name: "2 pending" }).click();
  await expect
    .poll(async () =>
      (await page.locator("tr[data-workflow-id]").evaluateAll((rs) => rs.map((r) => r.dataset.workflowId))).sort(),
    )
    .toEqual(["live-own-1", "live-own-2"]);
  await page.close();
}, 60_000);

test("versions: pending counts, and whether a live worker serves each", async () => {
  const page = await open();
  const version = (name: string) =>
    page.locator("tr", { has: page.locator("td a", { hasText: new RegExp(`^${name}$`) }) });
  await version("d-v3").waitFor();
  // Version, first seen, live workers, pending, enqueued, served.
  const served = await cells(version("d-v1"));
  expect([served[0], served[2], served[3], served[5]]).toEqual(["d-v1", "1", "2", "yes"]);
  const stranded = await cells(version("d-v3"));
  expect([stranded[0], stranded[2], stranded[3], stranded[5]]).toEqual(["d-v3", "0", "1", "STRANDED"]);
  // A version's link lists its workflows.
  await version("d-v3").getByRole("link", { name: "d-v3" }).click();
  await expect
    .poll(() => page.locator("tr[data-workflow-id]").evaluateAll((rs) => rs.map((r) => r.dataset.workflowId)))
    .toEqual(["doomed-own-1"]);
  await page.close();
}, 60_000);
