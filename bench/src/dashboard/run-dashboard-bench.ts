// The dashboard on a large system database: how long Chromium takes to render a workflow page with
// 1,000 steps (target under 1 s), and the server time of the workflow list's first page and of a
// status filter (target under 200 ms each) with the history seeder's finished workflows.
// `pnpm --filter @durably/bench bench:dashboard -- --workflows 1000000 --steps 10 [--reuse] [--runs 7]`;
// `--dashboard-dir <another checkout>/packages/dashboard` times that build instead (an A/B).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createConsoleLogger, createDBOSContext, launch, shutdown } from "@durably/core";
import { chromium } from "playwright-core";
import postgres from "postgres";
import { seedHistory } from "../history/seed-history.js";
import { percentile } from "../sample-stats.js";
import { seedLongWorkflow } from "./seed-long-workflow.js";

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1]!;
}

const adminUrl = flag("--db", process.env.DURABLY_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
const workflows = Number(flag("--workflows", "1000000"));
const steps = Number(flag("--steps", "10"));
const pageSteps = Number(flag("--page-steps", "1000"));
const runs = Number(flag("--runs", "7"));
const here = dirname(fileURLToPath(import.meta.url));
const dashboardDir = flag("--dashboard-dir", join(here, "../../../packages/dashboard"));
const chromiumPath = flag("--chromium", process.env.DURABLY_CHROMIUM ?? "/usr/bin/chromium");
/** Keep and reuse a seeded database of the same size (seeding a million workflows takes minutes). */
const reuse = process.argv.includes("--reuse");
const name = `bench_dashboard_${workflows}x${steps}`;
const longID = `dash-long-${pageSteps}`;

const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
const fresh = exists === undefined || !reuse;
if (fresh) {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}"`);
} else console.error(`reusing ${name} (--reuse): not seeded again`);
await admin.end();
const u = new URL(adminUrl);
u.pathname = `/${name}`;
const url = u.toString();

const ctx = createDBOSContext({
  appName: "bench",
  systemDatabaseUrl: url,
  applicationVersion: "v1",
  logger: createConsoleLogger("error"),
});
await launch(ctx); // migrates the new database
await shutdown(ctx);
if (fresh) {
  const seconds = await seedHistory(url, { workflows, stepsPerWorkflow: steps }, { log: (l) => console.error(l) });
  console.error(`seeded ${workflows} workflows × ${steps} steps in ${seconds.toFixed(1)} s`);
}
await seedLongWorkflow(url, longID, pageSteps);

const serverProcess = spawn(process.execPath, [join(here, "dashboard-server-process.mjs"), dashboardDir, url], {
  stdio: ["pipe", "pipe", "inherit"],
});
const server = {
  url: await new Promise<string>((resolve, reject) => {
    serverProcess.once("exit", (code) => reject(new Error(`the dashboard process exited with ${code}`)));
    createInterface({ input: serverProcess.stdout! }).once("line", resolve);
  }),
};
console.error(`dashboard from ${dashboardDir} at ${server.url}`);
const profile = mkdtempSync(join(tmpdir(), "durably-bench-chromium-"));
if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath} (apt-get install chromium)`);
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath,
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});

interface PageTiming {
  /** Navigation start to the page painted with its steps, in ms (Chromium's clock). */
  readonly renderedMs: number;
  /** The page's own request for the workflow (the API's answer), in ms. */
  readonly apiMs: number;
  /** Main-thread time in tasks over 50 ms (script, React's render, layout), in ms. */
  readonly longTaskMs: number;
  /** The renderer main thread's CPU time in tasks, script and layout (thread ticks: what load does not inflate), in ms. */
  readonly cpuTaskMs: number;
  readonly cpuScriptMs: number;
  readonly cpuLayoutMs: number;
  /** DOM nodes in the page once rendered. */
  readonly nodes: number;
}

// Run in the page (strings: this package compiles without the DOM's types).
const sumLongTasks = `globalThis.longTaskMs = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) globalThis.longTaskMs += e.duration; })
  .observe({ type: "longtask", buffered: true });`;
const afterTwoFrames = `new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
  const api = performance.getEntriesByType("resource").find((e) => /\\/api\\/workflows\\/[^/?]+$/.test(e.name));
  resolve({
    renderedMs: performance.now(),
    apiMs: api === undefined ? Number.NaN : api.responseEnd - api.startTime,
    longTaskMs: globalThis.longTaskMs,
  });
})))`;

async function renderOnce(): Promise<PageTiming> {
  const page = await browser.newPage();
  try {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable", { timeDomain: "threadTicks" });
    await page.addInitScript(sumLongTasks);
    await page.goto(`${server.url}#/workflow/${longID}`);
    // Rendered: the step list shows its rows and the waterfall its bars; then two frames, so layout
    // and paint of that commit are counted.
    await page.locator("tr[data-step-id]").first().waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="timeline"] svg .recharts-bar-rectangle').first().waitFor({ timeout: 60_000 });
    const timing = (await page.evaluate(afterTwoFrames)) as Omit<PageTiming, `cpu${string}` | "nodes">;
    const metrics = new Map((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
    const ms = (name: string) => (metrics.get(name) ?? Number.NaN) * 1000;
    return {
      ...timing,
      cpuTaskMs: ms("TaskDuration"),
      cpuScriptMs: ms("ScriptDuration"),
      cpuLayoutMs: ms("LayoutDuration") + ms("RecalcStyleDuration"),
      nodes: metrics.get("Nodes") ?? Number.NaN,
    };
  } finally {
    await page.close();
  }
}

async function listServerMs(query: string): Promise<{ cold: number; p50: number; max: number }> {
  const serverMs: number[] = [];
  for (let i = 0; i < 21; i++) {
    const r = await fetch(new URL(`api/workflows${query}`, server.url));
    const body = (await r.json()) as { serverMs: number; workflows: unknown[] };
    if (body.workflows.length === 0) throw new Error(`the list ${query || "(no filter)"} is empty: seeding failed`);
    serverMs.push(body.serverMs);
  }
  const [cold, ...warm] = serverMs;
  return { cold: cold!, p50: percentile(warm, 50), max: Math.max(...warm) };
}

try {
  const timings: PageTiming[] = [];
  await renderOnce(); // warm-up: the assets into the cache, the plan into Postgres's
  for (let i = 0; i < runs; i++) timings.push(await renderOnce());
  const lists = [
    ["first page", ""],
    ["status SUCCESS", "?status=SUCCESS"],
    ["status ERROR", "?status=ERROR"],
    ["status CANCELLED", "?status=CANCELLED"],
  ] as const;
  const listTimes = [];
  for (const [label, query] of lists) listTimes.push([label, await listServerMs(query)] as const);

  const med = (f: (t: PageTiming) => number) => percentile(timings.map(f), 50).toFixed(0);
  console.log(`Dashboard bench: ${workflows} finished workflows × ${steps} steps; a page of ${pageSteps} steps`);
  console.log(
    `workflow page with ${pageSteps} steps, Chromium, median of ${runs}: rendered ${med((t) => t.renderedMs)} ms ` +
      `after navigation start (API ${med((t) => t.apiMs)} ms, long tasks ${med((t) => t.longTaskMs)} ms); ` +
      `each run: ${timings.map((t) => t.renderedMs.toFixed(0)).join(", ")} ms (target < 1000)`,
  );
  console.log(
    `  renderer main-thread CPU (thread time, median): tasks ${med((t) => t.cpuTaskMs)} ms, script ` +
      `${med((t) => t.cpuScriptMs)} ms, style + layout ${med((t) => t.cpuLayoutMs)} ms; DOM nodes ${med((t) => t.nodes)}`,
  );
  for (const [label, t] of listTimes) {
    console.log(
      `list ${label.padEnd(17)} server ms: cold ${t.cold}, warm p50 ${t.p50.toFixed(0)}, max ${t.max} (target < 200)`,
    );
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  const exited = new Promise((resolve) => serverProcess.once("exit", resolve));
  serverProcess.stdin!.end();
  await exited;
  if (!reuse) {
    const drop = postgres(adminUrl, { max: 1, onnotice: () => undefined });
    await drop.unsafe(`drop database if exists "${name}" with (force)`);
    await drop.end();
  }
}
