// The dashboard's guard on a real server: off loopback every page, API call and the event stream
// needs the token; actions are JSON POSTs with the token header; read-only and redact modes hold.
import { request } from "node:http";
import type { DBOSContext } from "@durably/core";
import { shutdown } from "@durably/core";
import { retrieveQueue } from "@durably/queues";
import { migratedTemplate } from "@durably/sysdb";
// Renamed: Biome takes use* calls in this React package for hooks.
import { useTestDatabase as testDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createDashboardHandler, startDashboardServer, type DashboardServer } from "../src/index.js";
import { connectClient, launchChromium, startWorker, waitForStatus, type LiveWorker } from "./support/live-setup.js";

const db = testDatabase({ template: migratedTemplate });
let client: DBOSContext;
let worker: LiveWorker;
const servers: DashboardServer[] = [];

beforeAll(async () => {
  worker = await startWorker(db.url);
  client = await connectClient(db.url);
  await worker.start("hostile", "secret-1", "the secret input");
  await waitForStatus(client, "secret-1", "SUCCESS");
}, 120_000);

afterAll(async () => {
  for (const server of servers) await server.close();
  await worker?.stop();
  if (client) await shutdown(client);
}, 60_000);

async function serve(options: Parameters<typeof startDashboardServer>[1]): Promise<DashboardServer> {
  const server = await startDashboardServer(client, { port: 0, ...options });
  servers.push(server);
  return server;
}

/** The base URL without the token (the server bound to all addresses answers on loopback too). */
const bare = (server: DashboardServer) => new URL(server.url).origin.replace("0.0.0.0", "127.0.0.1");

test("off loopback a token is generated, and pages, API and event stream answer 401 without it", async () => {
  const server = await serve({ host: "0.0.0.0" });
  expect(server.generatedToken).toBe(true);
  expect(server.token).toMatch(/^[\w-]{32}$/);
  expect(server.url).toContain(`?token=${server.token}`);
  const base = bare(server);
  for (const path of ["/", "/assets/anything.js", "/api/workflows", "/api/config", "/api/live"]) {
    const response = await fetch(`${base}${path}`);
    expect({ path, status: response.status }).toEqual({ path, status: 401 });
    await response.body?.cancel();
  }
  const wrong = await fetch(`${base}/api/workflows`, { headers: { "x-durably-token": "x".repeat(32) } });
  expect(wrong.status).toBe(401);
  const post = await fetch(`${base}/api/workflows/secret-1/cancel`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  expect(post.status).toBe(401);
  // With the token: the API by header, the page by query (which sets the cookie its assets use).
  const api = await fetch(`${base}/api/workflows`, { headers: { "x-durably-token": server.token! } });
  expect(api.status).toBe(200);
  const page = await fetch(`${base}/?token=${server.token}`);
  expect(page.status).toBe(200);
  expect(page.headers.get("set-cookie")).toContain("HttpOnly; SameSite=Strict");
  await page.body?.cancel();
  const live = await fetch(`${base}/api/live?token=${server.token}`);
  expect(live.status).toBe(200);
  expect(live.headers.get("content-type")).toContain("text/event-stream");
  await live.body?.cancel();
}, 60_000);

test("in a browser the printed URL works: the list loads and the event stream opens", async () => {
  const server = await serve({ host: "0.0.0.0", token: "a-token-given-by-flag" });
  expect(server.generatedToken).toBe(false);
  const { browser, close } = await launchChromium();
  try {
    const page = await browser.newPage();
    const statuses: number[] = [];
    page.on("response", (r) => statuses.push(r.status()));
    await page.goto(server.url.replace("0.0.0.0", "127.0.0.1"));
    await page.locator('tr[data-workflow-id="secret-1"]').waitFor();
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { document: { body: { dataset: { live?: string } } } }).document.body.dataset.live ===
        "open",
    );
    expect(statuses.filter((s) => s === 401)).toEqual([]);
    await browser.clearCookies();
    const blocked = await browser.newPage();
    const response = await blocked.goto(bare(server));
    expect(response?.status()).toBe(401);
  } finally {
    await close();
  }
}, 90_000);

test("a state change needs a JSON POST with the token header: a cross-site form cannot act", async () => {
  const server = await serve({});
  expect(server.token).toBeUndefined();
  const base = bare(server);
  const form = await fetch(`${base}/api/workflows/secret-1/resume`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "a=1",
  });
  expect(form.status).toBe(403);
  const get = await fetch(`${base}/api/workflows/secret-1/resume`);
  expect(get.status).toBe(404);
  // A page on another site that rebinds its name to 127.0.0.1 sends its own Host: refused.
  // (fetch does not let a script set Host; node:http does.)
  const rebound = await new Promise<number | undefined>((resolve, reject) => {
    const req = request(`${base}/api/workflows`, { headers: { host: "evil.example" } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("error", reject);
    req.end();
  });
  expect(rebound).toBe(403);
}, 60_000);

test("read-only removes every action and redact sends no values", async () => {
  const readOnly = await serve({ readOnly: true, redact: true });
  const base = bare(readOnly);
  const config = (await (await fetch(`${base}/api/config`)).json()) as { readOnly: boolean; redact: boolean };
  expect(config).toMatchObject({ readOnly: true, redact: true });
  const cancel = await fetch(`${base}/api/workflows/secret-1/cancel`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-durably-token": "-" },
    body: "{}",
  });
  expect(cancel.status).toBe(403);
  // The worker's queue exists, so only read-only stands between this request and a pause.
  const pause = await fetch(`${base}/api/queues/dash-q/pause`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-durably-token": "-" },
    body: '{"reason":"should not"}',
  });
  expect(pause.status).toBe(403);
  expect((await retrieveQueue(client, "dash-q")).paused).toBeUndefined();
  const detail = await (await fetch(`${base}/api/workflows/secret-1`)).text();
  expect(detail).toContain('"workflowID":"secret-1"');
  expect(detail).not.toContain("the secret input");
  expect(detail).not.toContain('"output"');
  expect(detail).not.toContain('"input"');
}, 60_000);

test("options are checked", () => {
  expect(() => createDashboardHandler(client, { readonly: true } as never)).toThrow(/readonly/);
  expect(() => createDashboardHandler(client, { token: "" })).toThrow(/token/);
});
