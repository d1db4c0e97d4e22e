// Runs one worker process (node --import tsx worker.ts ...) and reads its one result line.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ScenarioResult } from "./scenarios/scenario.js";
import { readyLine, resultPrefix, type WorkerInput } from "./worker-protocol.js";

const benchDir = fileURLToPath(new URL("..", import.meta.url));
const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url));

export interface SpawnWorkerOptions {
  readonly library: "durably" | "dbos" | "postgres";
  /**
   * Worker scenario: sequential, parallel, long-workflow, statements, recovery-victim, recovery, launch,
   * physical-limit.
   */
  readonly scenario: string;
  readonly input: WorkerInput;
  readonly timeoutMs: number;
  /** SIGKILL the worker as soon as it prints BENCH_READY (the recovery victim); that counts as success. */
  readonly killWhenReady?: boolean;
}

export type WorkerOutcome =
  | { readonly ok: true; readonly result: ScenarioResult | undefined; readonly elapsedMs: number }
  | { readonly ok: false; readonly error: string; readonly elapsedMs: number };

export function spawnWorker(options: SpawnWorkerOptions): Promise<WorkerOutcome> {
  const started = performance.now();
  // node itself, not the tsx CLI: the CLI runs node as a grandchild that a SIGKILL would orphan.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", workerPath, options.library, options.scenario, JSON.stringify(options.input)],
    {
      cwd: benchDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
    },
  );
  let stdout = "";
  let stderr = "";
  let result: ScenarioResult | undefined;
  let killedWhenReady = false;
  let timedOut = false;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    let newline: number;
    while ((newline = stdout.indexOf("\n")) >= 0) {
      const line = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      if (line.startsWith(resultPrefix)) result = JSON.parse(line.slice(resultPrefix.length)) as ScenarioResult;
      else if (line === readyLine && options.killWhenReady) {
        killedWhenReady = true;
        child.kill("SIGKILL");
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const elapsedMs = performance.now() - started;
      if (killedWhenReady) return resolve({ ok: true, result: undefined, elapsedMs });
      if (timedOut)
        return resolve({ ok: false, error: `timed out after ${options.timeoutMs} ms\n${stderr.trim()}`, elapsedMs });
      if (code === 0 && result !== undefined) return resolve({ ok: true, result, elapsedMs });
      const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
      resolve({
        ok: false,
        error: `worker ended with ${how}${result === undefined ? " and no result" : ""}\n${stderr.trim()}`,
        elapsedMs,
      });
    });
  });
}
