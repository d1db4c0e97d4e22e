// Takes the README's screenshots: live workers run a few workflows (one waiting on a gate, one old
// worker killed so its lease lapses), a queue is paused, schedules are made and backfilled, then
// Chromium captures the main pages into docs/ (workflows, a workflow, values, queues, schedules, workers).
// Usage (after pnpm build): node scripts/screenshots.mjs postgres://postgres@127.0.0.1:5432/some_empty_db
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, enqueueWorkflow, listExecutors, shutdown } from "@durably/core";
import { pauseQueue } from "@durably/queues";
import { backfillSchedule, createSchedule } from "@durably/scheduler";
import { migrateSystemDatabase, openSystemDatabase } from "@durably/sysdb";
import { chromium } from "playwright-core";
import { startDashboardServer } from "../dist/index.js";

const url = process.argv[2];
const sysdb = openSystemDatabase({ url });
await migrateSystemDatabase(sysdb);
await sysdb.close();
const dir = mkdtempSync(join(tmpdir(), "durably-shots-"));
const log = join(dir, "steps.log");
writeFileSync(log, "");
const script = fileURLToPath(new URL("../test/support/dashboard-worker.mjs", import.meta.url));
const spawnWorker = async (options) => {
  const child = spawn(process.execPath, [script, url, dir, log, JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  await new Promise((resolve) => child.stdout.on("data", (d) => String(d).includes("ready") && resolve()));
  return child;
};
// An old worker (version d-v0) that dies holding a workflow: its lease lapses, its version is stranded.
const old = await spawnWorker({
  executorId: "worker-old",
  applicationVersion: "d-v0",
  leaseRenewMs: 2000,
  leaseLapseMs: 8000,
});
old.stdin.write(`start gated legacy-9 1\n`);
await new Promise((resolve) => old.stdout.on("data", (d) => String(d).includes("started legacy-9") && resolve()));
old.kill("SIGKILL");
const worker = await spawnWorker({ executorId: "worker-1" });
const start = (name, id, args) => worker.stdin.write(`start ${name} ${id} ${JSON.stringify(args)}\n`);
for (let i = 1; i <= 6; i++) start("counted", `order-${1000 + i}`, 3 + (i % 3));
start("hostile", "report-7", "<script>alert(1)</script> stays text");
start("gated", "checkout-42", 5);
for (let k = 0; k < 3; k++) appendFileSync(join(dir, `checkout-42-${k}`), "");
start("gated", "checkout-43", 2);
await new Promise((r) => setTimeout(r, 3000));
const client = await createClient({ systemDatabaseUrl: url, appName: "dash-test" });
// Queues: one the worker serves, paused with work waiting; one nobody serves.
await pauseQueue(client, "dash-q", { reason: "deploy freeze" });
for (let i = 1; i <= 3; i++)
  await enqueueWorkflow(client, "counted", 1, { queue: "dash-q", workflowID: `invoice-${i}` });
for (let i = 1; i <= 2; i++) await enqueueWorkflow(client, "counted", 1, { queue: "emails", workflowID: `email-${i}` });
// Schedules: two crons (one in a time zone), one with ticks backfilled so it shows when it last fired.
await createSchedule(client, { name: "hourly-sync", workflow: "ticked", cron: "0 * * * *" });
await createSchedule(client, {
  name: "nightly-billing",
  workflow: "ticked",
  cron: "30 2 * * *",
  timezone: "Europe/Berlin",
});
const hour = 3_600_000;
const now = Math.floor(Date.now() / hour) * hour;
await backfillSchedule(client, "hourly-sync", new Date(now - 3 * hour), new Date(now));
await new Promise((r) => setTimeout(r, 2000));
const server = await startDashboardServer(client, { port: 0 });
// The old worker's lease lapses 8 s after its death (and is forgotten six lapses later).
for (let i = 0; i < 150; i++) {
  if ((await listExecutors(client)).some((e) => e.executorID === "worker-old" && e.state === "lapsed")) break;
  await new Promise((r) => setTimeout(r, 100));
}
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
const out = fileURLToPath(new URL("../docs/", import.meta.url));
for (const [hash, file, wait] of [
  ["/", "workflows.png", 'tr[data-workflow-id="order-1001"]'],
  ["/workflow/checkout-42", "workflow.png", 'tr[data-step-id="2"]'],
  ["/workflow/report-7", "values.png", '[data-testid="output"]'],
  ["/queues", "queues.png", 'tr[data-queue="dash-q"] [data-testid="paused"]'],
  ["/schedules", "schedules.png", 'tr[data-schedule="nightly-billing"] time'],
  ["/workers", "workers.png", "tr[data-state]"],
]) {
  await page.goto(`${server.url}#${hash}`);
  await page.locator(wait).first().waitFor();
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(out, file) });
}
await browser.close();
await server.close();
for (let k = 0; k < 5; k++) appendFileSync(join(dir, `checkout-42-${k}`), "");
for (let k = 0; k < 2; k++) appendFileSync(join(dir, `checkout-43-${k}`), "");
await new Promise((r) => setTimeout(r, 1000));
worker.kill("SIGTERM");
await shutdown(client);
console.log(`screenshots in ${out}`);
