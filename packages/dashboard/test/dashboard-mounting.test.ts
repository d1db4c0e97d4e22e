// createDashboardHandler mounted under /admin/durably in the three hosts the README shows (plain
// node:http with basePath, Express's app.use, Fastify's raw request in a prefixed plugin), against a
// live worker process: through each host Chromium loads the page, the list reads the API, the event
// stream opens and brings a new workflow without a reload, and POST actions (cancel; fork, whose body
// says the step) take effect.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DBOSContext } from "@durably/core";
import { listWorkflows, shutdown } from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
// Renamed: Biome takes use* calls in this React package for hooks.
import { useTestDatabase as testDatabase } from "@durably/testing/vitest";
import express from "express";
import Fastify from "fastify";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDashboardHandler, type DashboardHandler } from "../src/index.js";
import { connectClient, launchChromium, startWorker, waitForStatus, type LiveWorker } from "./support/live-setup.js";

const db = testDatabase({ template: migratedTemplate });
let worker: LiveWorker;
let client: DBOSContext;
let browser: BrowserContext;
let closeBrowser: () => Promise<void>;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
  worker = await startWorker(db.url);
  client = await connectClient(db.url);
  ({ browser, close: closeBrowser } = await launchChromium());
}, 120_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await closeBrowser?.();
  await worker?.stop();
  if (client) await shutdown(client);
}, 60_000);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function stopLater(dashboard: DashboardHandler, server: Server): void {
  stops.push(async () => {
    dashboard.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}

/** The same checks through any host: `mount` is the page's URL (under /admin/durably). */
async function checkMounted(host: string, mount: string): Promise<void> {
  const ids = { done: `${host}-done`, late: `${host}-late`, gated: `${host}-gated` };
  await worker.start("counted", ids.done, 2);
  await waitForStatus(client, ids.done, "SUCCESS");
  // The bare mount path (no slash) redirects to the slash-ended one, so relative asset URLs resolve.
  const bare = await fetch(mount.replace(/\/$/, ""), { redirect: "manual" });
  expect(bare.status).toBe(302);
  expect(new URL(bare.headers.get("location")!, mount).pathname).toBe(new URL(mount).pathname);
  const page = await browser.newPage();
  const failed: string[] = [];
  page.on("response", (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(mount.replace(/\/$/, ""));
  expect(new URL(page.url()).pathname).toBe(new URL(mount).pathname);
  await page.locator(`tr[data-workflow-id="${ids.done}"]`).waitFor();
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { document: { body: { dataset: { live?: string } } } }).document.body.dataset.live ===
      "open",
  );
  // The event stream, through the host, brings a workflow started after the page loaded.
  await worker.start("counted", ids.late, 1);
  await page.locator(`tr[data-workflow-id="${ids.late}"]`).waitFor({ timeout: 20_000 });
  expect(failed).toEqual([]);
  // The API, and a JSON POST action through the host's body handling.
  const api = (await (await fetch(`${mount}api/workflows?prefix=${host}-`)).json()) as {
    workflows: Array<{ workflowID: string }>;
  };
  expect(api.workflows.map((w) => w.workflowID).sort()).toEqual([ids.done, ids.late].sort());
  await worker.start("gated", ids.gated, 1);
  const cancel = await fetch(`${mount}api/workflows/${ids.gated}/cancel`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-durably-token": "-" },
    body: "{}",
  });
  expect(cancel.status).toBe(200);
  const [gated] = await listWorkflows(client, { workflowIDs: [ids.gated] });
  expect(gated?.status).toBe("CANCELLED");
  worker.open(ids.gated, 0);
  // A body the action needs arrives whole (a host that parsed it first would leave it empty).
  const fork = await fetch(`${mount}api/workflows/${ids.done}/fork`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-durably-token": "-" },
    body: JSON.stringify({ startStep: 1 }),
  });
  expect(fork.status).toBe(200);
  const { workflowID: forkID } = (await fork.json()) as { workflowID: string };
  await waitForStatus(client, forkID, "SUCCESS");
  expect(worker.ran(forkID)).toEqual([1]);
  // Outside the mount path the host answers, not the dashboard.
  expect((await fetch(new URL("/api/workflows", mount))).status).toBe(404);
  await page.close();
}

test("plain node:http, mounted with basePath", async () => {
  const dashboard = createDashboardHandler(client, { basePath: "/admin/durably", probeIntervalMs: 200 });
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/admin/durably")) dashboard(req, res);
    else res.writeHead(404).end("the host's own 404");
  });
  stopLater(dashboard, server);
  await checkMounted("node", `${await listen(server)}/admin/durably/`);
}, 90_000);

test("Express, mounted with app.use (Express strips the path)", async () => {
  const dashboard = createDashboardHandler(client, { probeIntervalMs: 200 });
  const app = express();
  app.use("/admin/durably", dashboard);
  const server = createServer(app);
  stopLater(dashboard, server);
  await checkMounted("express", `${await listen(server)}/admin/durably/`);
}, 90_000);

test("Fastify, its raw request handed over in a prefixed plugin", async () => {
  const dashboard = createDashboardHandler(client, { basePath: "/admin/durably", probeIntervalMs: 200 });
  const app = Fastify();
  await app.register(
    async (scope) => {
      // The dashboard reads POST bodies itself: Fastify must leave the request stream unread.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
      for (const path of ["/", "/*"])
        scope.all(path, (request, reply) => {
          reply.hijack();
          dashboard(request.raw, reply.raw);
        });
    },
    { prefix: "/admin/durably" },
  );
  await app.listen({ port: 0, host: "127.0.0.1" });
  stops.push(async () => {
    dashboard.close();
    app.server.closeAllConnections();
    await app.close();
  });
  await checkMounted("fastify", `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/admin/durably/`);
}, 90_000);

test("basePath is checked", () => {
  expect(() => createDashboardHandler(client, { basePath: "admin" })).toThrow(/basePath "admin" must be a URL path/);
  expect(() => createDashboardHandler(client, { basePath: "/a?b" })).toThrow(/basePath/);
  expect(() => createDashboardHandler(client, { basePath: 3 as never })).toThrow(/basePath/);
});
