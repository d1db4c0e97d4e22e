// The workflows list's filters in Chromium against two live worker processes (two executors, two
// versions): time range, version, executor, ID prefix and parent, typed into the page; the filter
// lives in the URL, so a reload or a shared link restores it; keyset pages go forward and back.
import type { DBOSContext } from "@durably/core";
import { shutdown } from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
// Renamed: Biome takes use* calls in this React package for hooks.
import { useTestDatabase as testDatabase } from "@durably/testing/vitest";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startDashboardServer, type DashboardServer } from "../src/index.js";
import { seedWorkflowsAt } from "./support/seed-workflows.js";
import { connectClient, launchChromium, startWorker, waitForStatus, type LiveWorker } from "./support/live-setup.js";

const db = testDatabase({ template: migratedTemplate });
let first: LiveWorker;
let second: LiveWorker;
let client: DBOSContext;
let server: DashboardServer;
let browser: BrowserContext;
let closeBrowser: () => Promise<void>;
let middle: Date;

beforeAll(async () => {
  [first, second] = await Promise.all([
    startWorker(db.url, { executorId: "first-exec" }),
    startWorker(db.url, { executorId: "second-exec", applicationVersion: "d-v2" }),
  ]);
  client = await connectClient(db.url);
  await first.start("counted", "f-early", 1);
  await waitForStatus(client, "f-early", "SUCCESS");
  await new Promise((r) => setTimeout(r, 50));
  middle = new Date();
  await new Promise((r) => setTimeout(r, 50));
  await first.start("counted", "f-late", 1);
  await second.start("counted", "f-second", 1);
  await first.start("family", "f-family", null);
  for (const id of ["f-late", "f-second", "f-family"]) await waitForStatus(client, id, "SUCCESS");
  server = await startDashboardServer(client, { port: 0, probeIntervalMs: 200 });
  ({ browser, close: closeBrowser } = await launchChromium());
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await server?.close();
  await Promise.all([first?.stop(), second?.stop()]);
  if (client) await shutdown(client);
}, 60_000);

async function open(hash: string): Promise<Page> {
  const page = await browser.newPage();
  page.on("pageerror", (error) => process.stderr.write(`[page] ${error.message}\n`));
  await page.goto(`${server.url}#${hash}`);
  await page.locator("table.workflows").waitFor();
  return page;
}

const rowIDs = (page: Page) =>
  page.locator("tr[data-workflow-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-workflow-id")));

/** Types `value` into the filter `name` and presses Enter, as a person would. */
async function filter(page: Page, name: string, value: string): Promise<void> {
  await page.locator(`input[name="${name}"]`).fill(value);
  await page.locator(`input[name="${name}"]`).press("Enter");
  await page.waitForFunction(
    ([key, text]) =>
      (new URLSearchParams((globalThis as unknown as { location: { hash: string } }).location.hash.split("?")[1]).get(
        key!,
      ) ?? "") === text,
    [name, value],
  );
}

const hashParams = (page: Page) => new URLSearchParams(new URL(page.url()).hash.split("?")[1]);

test("time range: created after and before a moment, typed as ISO times", async () => {
  const page = await open("/?prefix=f-");
  await expect.poll(() => rowIDs(page)).toContain("f-early");
  await filter(page, "after", middle.toISOString());
  await expect.poll(() => rowIDs(page)).not.toContain("f-early");
  const after = await rowIDs(page);
  expect(after).toContain("f-late");
  expect(after).toContain("f-second");
  await filter(page, "after", "");
  await filter(page, "before", middle.toISOString());
  await expect.poll(() => rowIDs(page)).toEqual(["f-early"]);
  // A bad time is the API's 400 naming it, never a wider listing.
  await filter(page, "before", "last tuesday");
  await page.locator(".error", { hasText: "before=last tuesday is not a time" }).waitFor();
  await page.close();
}, 60_000);

test("version, executor, ID prefix and parent each narrow the list to exactly theirs", async () => {
  const page = await open("/");
  await expect.poll(() => rowIDs(page)).toContain("f-second");
  await filter(page, "version", "d-v2");
  await expect.poll(() => rowIDs(page)).toEqual(["f-second"]);
  await filter(page, "version", "");
  await filter(page, "executor", "first-exec");
  await expect
    .poll(async () => (await rowIDs(page)).sort())
    .toEqual(["f-early", "f-family", "f-family-child", "f-family-child-grandchild", "f-late"]);
  await filter(page, "executor", "");
  await filter(page, "prefix", "f-family");
  await expect
    .poll(async () => (await rowIDs(page)).sort())
    .toEqual(["f-family", "f-family-child", "f-family-child-grandchild"]);
  await filter(page, "prefix", "");
  await filter(page, "parent", "f-family");
  await expect.poll(() => rowIDs(page)).toEqual(["f-family-child"]);
  await page.close();
}, 60_000);

test("the filter lives in the URL: a reload and a shared link restore the view and the inputs", async () => {
  const page = await open("/");
  await expect.poll(() => rowIDs(page)).toContain("f-late");
  await filter(page, "executor", "first-exec");
  await filter(page, "after", middle.toISOString());
  await filter(page, "prefix", "f-l");
  await expect.poll(() => rowIDs(page)).toEqual(["f-late"]);
  expect(Object.fromEntries(hashParams(page))).toEqual({
    executor: "first-exec",
    after: middle.toISOString(),
    prefix: "f-l",
  });
  await page.reload();
  await expect.poll(() => rowIDs(page)).toEqual(["f-late"]);
  await expect(page.locator('input[name="executor"]').inputValue()).resolves.toBe("first-exec");
  await expect(page.locator('input[name="after"]').inputValue()).resolves.toBe(middle.toISOString());
  const shared = await open(new URL(page.url()).hash.slice(1));
  await expect.poll(() => rowIDs(shared)).toEqual(["f-late"]);
  await expect(shared.locator('input[name="prefix"]').inputValue()).resolves.toBe("f-l");
  await page.close();
  await shared.close();
}, 60_000);

test("keyset pages: Next page walks 250 workflows 100 at a time, newest first, none twice", async () => {
  await seedWorkflowsAt(db.url, { workflows: 250, stepsPer: 0 });
  const seeded = (n: number) => `seed-${String(n).padStart(8, "0")}`;
  const range = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, k) => seeded(from - k));
  const page = await open("/?prefix=seed-");
  await expect.poll(() => rowIDs(page)).toEqual(range(250, 151));
  await page.getByRole("button", { name: "Next page" }).click();
  await expect.poll(() => rowIDs(page)).toEqual(range(150, 51));
  expect(hashParams(page).get("cursor")).toMatch(/^\d+:seed-00000151$/);
  expect(hashParams(page).get("prefix")).toBe("seed-");
  // The page is in the URL too: a reload stays on it.
  await page.reload();
  await expect.poll(() => rowIDs(page)).toEqual(range(150, 51));
  await page.getByRole("button", { name: "Next page" }).click();
  await expect.poll(() => rowIDs(page)).toEqual(range(50, 1));
  await expect(page.getByRole("button", { name: "Next page" }).count()).resolves.toBe(0);
  await page.getByRole("button", { name: "First page" }).click();
  await expect.poll(() => rowIDs(page)).toEqual(range(250, 151));
  expect(hashParams(page).get("cursor")).toBeNull();
  await page.close();
}, 90_000);
