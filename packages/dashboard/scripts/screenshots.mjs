// Takes the README's screenshots: a live worker runs a few workflows (one failing, one waiting on a
// queue-less gate, children), then Chromium captures the main pages into docs/.
// Usage (after pnpm build): node scripts/screenshots.mjs postgres://postgres@127.0.0.1:5432/some_empty_db
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, shutdown } from "@durably/core";
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
const worker = spawn(process.execPath, [script, url, dir, log], { stdio: ["pipe", "pipe", "inherit"] });
await new Promise((resolve) => worker.stdout.on("data", (d) => String(d).includes("ready") && resolve()));
const start = (name, id, args) => worker.stdin.write(`start ${name} ${id} ${JSON.stringify(args)}\n`);
for (let i = 1; i <= 6; i++) start("counted", `order-${1000 + i}`, 3 + (i % 3));
start("hostile", "report-7", "<script>alert(1)</script> stays text");
start("gated", "checkout-42", 5);
for (let k = 0; k < 3; k++) appendFileSync(join(dir, `checkout-42-${k}`), "");
start("gated", "checkout-43", 2);
await new Promise((r) => setTimeout(r, 3000));
const client = await createClient({ systemDatabaseUrl: url, appName: "dash-test" });
const server = await startDashboardServer(client, { port: 0 });
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
