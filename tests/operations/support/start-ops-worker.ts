// Starts the ops worker as a real process and stops it afterwards.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface OpsWorker {
  /** The worker process's PID (as its executor lease records it). */
  readonly pid: number;
  /** Lines of the effect log: `<workflowID>:<step>` per step execution. */
  effects(): string[];
  stop(): Promise<void>;
}

export interface OpsWorkerOptions {
  /** Its application version (default "ops-v1"). */
  readonly applicationVersion?: string;
  /** Its executor ID (default "ops-worker"). */
  readonly executorId?: string;
}

export async function startOpsWorker(url: string, options: OpsWorkerOptions = {}): Promise<OpsWorker> {
  const effectLog = join(mkdtempSync(join(tmpdir(), "durably-ops-")), "effects.log");
  const { applicationVersion = "ops-v1", executorId = "ops-worker" } = options;
  const worker = fileURLToPath(new URL("./ops-worker.mjs", import.meta.url));
  const child = spawn(process.execPath, [worker, url, effectLog, applicationVersion, executorId]);
  child.stderr.on("data", (d) => process.stderr.write(`[ops-worker] ${d}`));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => String(d).includes("ready") && resolve());
    child.on("exit", (code) => reject(new Error(`the ops worker exited with ${code}`)));
  });
  return {
    pid: child.pid!,
    effects: () => (existsSync(effectLog) ? readFileSync(effectLog, "utf8").trim().split("\n") : []),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
