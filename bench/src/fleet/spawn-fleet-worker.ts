// Starts one fleet-worker process and hands its FLEET events to a callback.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FleetWorkerInput } from "./fleet-worker.js";

const benchDir = fileURLToPath(new URL("../..", import.meta.url));
const workerPath = fileURLToPath(new URL("./fleet-worker.ts", import.meta.url));
const prefix = "FLEET ";

export type FleetEvent =
  | { readonly type: "ready"; readonly pid: number }
  | { readonly type: "step"; readonly workflowID: string; readonly step: number; readonly at: number }
  | { readonly type: "statements"; readonly total: number; readonly leaseStatements: number; readonly seconds: number };

export interface FleetWorker {
  readonly child: ChildProcess;
  /** Resolves at the worker's "ready" line; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Writes one command line ("start", "stop") to the worker's stdin. */
  command(line: string): void;
  kill(): Promise<void>;
}

export function spawnFleetWorker(
  input: FleetWorkerInput,
  onEvent: (event: FleetEvent, worker: ChildProcess) => void,
): FleetWorker {
  // node itself, not the tsx CLI, so a SIGKILL reaches the process that runs the workflows.
  const child = spawn(process.execPath, ["--import", "tsx", workerPath, JSON.stringify(input)], {
    cwd: benchDir,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    let buffer = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith(prefix)) continue;
        const event = JSON.parse(line.slice(prefix.length)) as FleetEvent;
        if (event.type === "ready") resolve();
        onEvent(event, child);
      }
    });
    child.once("exit", (code, signal) =>
      reject(new Error(`fleet worker exited (${signal ?? code}) before it was ready: ${stderr}`)),
    );
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    command(line) {
      child.stdin!.write(`${line}\n`);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
