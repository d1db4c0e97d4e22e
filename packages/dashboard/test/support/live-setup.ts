// What the browser tests share: a live worker process (test/support/dashboard-worker.mjs), a client,
// and Debian's Chromium driven by playwright-core through its executable path (no browser download).
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, listWorkflows, type DBOSContext, type WorkflowStatusName } from "@durably/core";
import { assertPremise } from "@durably/testing";
import { chromium, type BrowserContext } from "playwright-core";

export const chromiumPath = process.env.DURABLY_CHROMIUM ?? "/usr/bin/chromium";

/** Chromium for tests: headless, no sandbox (root in CI), nothing fetched, a fresh profile. */
export async function launchChromium(): Promise<{ browser: BrowserContext; close: () => Promise<void> }> {
  assertPremise(
    existsSync(chromiumPath) ? undefined : `no Chromium at ${chromiumPath} (.ci/run installs Debian chromium)`,
  );
  const profile = mkdtempSync(join(tmpdir(), "durably-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface LiveWorker {
  start(
    workflow: "gated" | "counted" | "hostile" | "talker" | "family" | "ticked",
    workflowID: string,
    args: unknown,
  ): Promise<void>;
  /** Lets step `step` of `workflowID` (a gated workflow) run. */
  open(workflowID: string, step: number): void;
  /** The steps `workflowID` ran, in order, by the log. */
  ran(workflowID: string): number[];
  stop(): Promise<void>;
  /** SIGKILLs the process (its lease then lapses). */
  kill(): Promise<void>;
}

/** Context options a second worker sets to differ from the first. */
export interface WorkerOptions {
  readonly executorId?: string;
  readonly applicationVersion?: string;
  readonly leaseRenewMs?: number;
  readonly leaseLapseMs?: number;
}

/** Starts the worker process; resolves once it launched. */
export async function startWorker(url: string, options: WorkerOptions = {}): Promise<LiveWorker> {
  const dir = mkdtempSync(join(tmpdir(), "durably-dashboard-"));
  const log = join(dir, "steps.log");
  writeFileSync(log, "");
  const script = fileURLToPath(new URL("./dashboard-worker.mjs", import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script, url, dir, log, JSON.stringify(options)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stderr?.on("data", (d) => process.stderr.write(`[worker] ${d}`));
  const started = new Map<string, () => void>();
  let buffered = "";
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the worker exited with ${code} before it was ready`)));
    child.stdout?.on("data", (d: Buffer) => {
      buffered += d.toString();
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line === "ready") resolve();
        if (line.startsWith("started ")) started.get(line.slice(8))?.();
      }
    });
  });
  return {
    start: (workflow, workflowID, args) =>
      new Promise<void>((resolve) => {
        started.set(workflowID, resolve);
        child.stdin?.write(`start ${workflow} ${workflowID} ${JSON.stringify(args)}\n`);
      }),
    open: (workflowID, step) => appendFileSync(join(dir, `${workflowID}-${step}`), ""),
    ran: (workflowID) =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.startsWith(`${workflowID} `))
        .map((l) => Number(l.split(" ")[1])),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

export function connectClient(url: string): Promise<DBOSContext> {
  return createClient({
    systemDatabaseUrl: url,
    appName: "dash-test",
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
}

/** Waits (bounded) until `workflowID` has `status`. */
export async function waitForStatus(
  client: DBOSContext,
  workflowID: string,
  status: WorkflowStatusName,
): Promise<void> {
  let last: string | undefined;
  for (let i = 0; i < 600; i++) {
    const [w] = await listWorkflows(client, { workflowIDs: [workflowID] });
    last = w?.status;
    if (last === status) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${workflowID} did not reach ${status} in 60 s (last: ${last})`);
}
