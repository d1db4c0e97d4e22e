// The test's handle on one events worker process: starts it (tsx), waits until it receives, kills
// it with SIGKILL (checking that it died of it), or stops it gracefully.
import { type ChildProcess, fork } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { assertPremise } from "@durably/testing";
import type { EventsWorkerConfig } from "./events-worker.js";

const workerScript = fileURLToPath(new URL("./events-worker.ts", import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export class EventsWorkerProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #messages: Array<{ type: string }> = [];

  constructor(
    readonly name: string,
    config: EventsWorkerConfig,
    logFile: string,
  ) {
    const fd = openSync(logFile, "a");
    this.#child = fork(workerScript, [], {
      execArgv: ["--import", tsxLoader],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, EVENTS_WORKER: JSON.stringify(config) },
      stdio: ["ignore", fd, fd, "ipc"],
      serialization: "json",
    });
    closeSync(fd);
    this.#child.on("error", () => undefined);
    this.#child.on("message", (m: { type: string }) => this.#messages.push(m));
    this.#exited = new Promise((resolve) => this.#child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Resolves once the worker receives messages; rejects if it exits first or takes over 90 s. */
  async ready(): Promise<void> {
    await this.#waitFor("ready", 90_000);
  }

  async kill(): Promise<void> {
    this.#child.kill("SIGKILL");
    const exit = await this.#exited;
    assertPremise(
      exit.signal === "SIGKILL" ? undefined : `${this.name} did not die of SIGKILL: ${JSON.stringify(exit)}`,
    );
  }

  /** Shuts the worker down gracefully (its receiver stops, its broker connection closes). */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.send({ type: "stop" });
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([this.#exited, new Promise((r) => (timer = setTimeout(r, 30_000, "timeout")))]);
    clearTimeout(timer);
    if (exit === "timeout") {
      this.#child.kill("SIGKILL");
      await this.#exited;
    }
  }

  dispose(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
  }

  async #waitFor(type: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#messages.some((m) => m.type === type)) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null)
        throw new Error(`${this.name} exited before "${type}" (see its log)`);
      if (Date.now() > deadline) throw new Error(`${this.name} sent no "${type}" within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
