// The test's handle on one fleet worker process: starts it, talks to it, and kills, pauses or
// resumes it, checking each time that the signal really did what the test relies on.
import { fork, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { assertPremise } from "@durably/testing";
import type { ChaosInput } from "../../chaos/support/result-chain.js";
import type { FleetWorkerConfig, TestMessage, WorkerMessage } from "./fleet-messages.js";

const workerScript = fileURLToPath(new URL("./fleet-worker.ts", import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

type LogMessage = Extract<WorkerMessage, { type: "log" }>;

export class FleetWorkerProcess {
  readonly name: string;
  /** Its effect log, a file in the fleet's effects directory. */
  readonly effectsPath: string;
  readonly logs: LogMessage[] = [];
  readonly #child: ChildProcess;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #listeners = new Set<(message: WorkerMessage) => void>();

  constructor(name: string, config: FleetWorkerConfig, logFile: string) {
    this.name = name;
    this.effectsPath = config.effectsPath;
    const logFd = openSync(logFile, "a");
    this.#child = fork(workerScript, [], {
      execArgv: ["--import", tsxLoader],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, FLEET_WORKER: JSON.stringify(config) },
      stdio: ["ignore", logFd, logFd, "ipc"],
      serialization: "json",
    });
    closeSync(logFd);
    this.#child.on("error", () => undefined);
    this.#exited = new Promise((resolve) => this.#child.once("exit", (code, signal) => resolve({ code, signal })));
    this.#child.on("message", (message: WorkerMessage) => {
      if (message.type === "log") this.logs.push(message);
      for (const listener of [...this.#listeners]) listener(message);
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Resolves when the worker launched; rejects if it exits first or takes over `timeoutMs`. */
  launched(timeoutMs = 60_000): Promise<void> {
    return this.#next((m) => m.type === "launched", timeoutMs, "launch").then(() => undefined);
  }

  /** Starts (or enqueues) workflows here; resolves when the worker confirmed each. */
  async start(
    workflows: Array<{ id: string; input: ChaosInput }>,
    { queue, gated }: { queue?: string; gated?: boolean } = {},
  ): Promise<void> {
    const pending = new Set(workflows.map((w) => w.id));
    const failures: string[] = [];
    const done = this.#next(
      (m) => {
        if ((m.type === "started" || m.type === "start-failed") && pending.delete(m.id) && m.type === "start-failed") {
          failures.push(`${m.id}: ${m.error}`);
        }
        return pending.size === 0;
      },
      30_000,
      `start of ${workflows.length} workflows`,
    );
    this.#send({ type: "start", workflows, ...(queue === undefined ? {} : { queue }), gated });
    await done;
    if (failures.length > 0) throw new Error(`${this.name} could not start: ${failures.join("; ")}`);
  }

  /** The IDs of the workflows the worker runs now. */
  async active(): Promise<string[]> {
    const reply = this.#next((m) => m.type === "active", 10_000, "active list");
    this.#send({ type: "active" });
    return ((await reply) as Extract<WorkerMessage, { type: "active" }>).ids;
  }

  /** Starts serving the queue of its configuration (registerQueue after launch). */
  async serveQueue(): Promise<void> {
    const reply = this.#next((m) => m.type === "serving", 10_000, "serve-queue");
    this.#send({ type: "serve-queue" });
    await reply;
  }

  /** Sends each message (from outside any workflow) on the echo topic: it opens a gated workflow's gate. */
  async send(messages: Array<{ to: string; message: string }>): Promise<void> {
    const reply = this.#next((m) => m.type === "sent", 10_000, "send");
    this.#send({ type: "send", messages });
    const { error } = (await reply) as Extract<WorkerMessage, { type: "sent" }>;
    if (error !== undefined) throw new Error(`${this.name} could not send: ${error}`);
  }

  /** Calls shutdown(ctx, { drainMs }) in the worker; resolves with the Date.now() at which it returned there. */
  async shutdown(drainMs: number): Promise<number> {
    const reply = this.#next((m) => m.type === "shut-down", 30_000, "shutdown");
    this.#send({ type: "shutdown", drainMs });
    return ((await reply) as Extract<WorkerMessage, { type: "shut-down" }>).at;
  }

  /** Waits for a log line of the worker matching `match`, seen already or to come. */
  async logLine(match: (line: LogMessage) => boolean, timeoutMs: number, what: string): Promise<LogMessage> {
    const seen = this.logs.find(match);
    if (seen !== undefined) return seen;
    return (await this.#next((m) => m.type === "log" && match(m), timeoutMs, what)) as LogMessage;
  }

  /** SIGKILLs the worker and asserts that it died of it; returns Date.now() when the signal was sent. */
  async kill(): Promise<number> {
    const at = Date.now();
    this.#child.kill("SIGKILL");
    const exit = await within(this.#exited, 5_000);
    const died = exit?.signal === "SIGKILL";
    assertPremise(died ? undefined : `${this.name} (pid ${this.pid}) did not die of SIGKILL: ${JSON.stringify(exit)}`);
    assertPremise(!this.isAlive() ? undefined : `${this.name} (pid ${this.pid}) still exists after SIGKILL`);
    return at;
  }

  /** SIGSTOPs the worker and asserts the kernel stopped it; returns Date.now() when it was stopped. */
  async pause(): Promise<number> {
    this.#child.kill("SIGSTOP");
    const stopped = await this.#waitForState((state) => state === "T" || state === "t");
    assertPremise(stopped ? undefined : `${this.name} (pid ${this.pid}) is not stopped after SIGSTOP`);
    return Date.now();
  }

  /** SIGCONTs the worker and asserts it runs again; returns Date.now() just before the signal. */
  async resume(): Promise<number> {
    const at = Date.now();
    this.#child.kill("SIGCONT");
    const running = await this.#waitForState((state) => state !== "T" && state !== "t");
    assertPremise(running ? undefined : `${this.name} (pid ${this.pid}) is still stopped after SIGCONT`);
    return at;
  }

  isAlive(): boolean {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return false;
    try {
      process.kill(this.pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Kills the worker if it still runs (a stopped one too) and waits for it to go. */
  async dispose(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill("SIGKILL");
    await within(this.#exited, 5_000);
  }

  #send(message: TestMessage): void {
    if (!this.#child.connected) throw new Error(`${this.name} is not connected (exited?)`);
    this.#child.send(message);
  }

  /** The next message for which `accept` returns true; rejects when the worker exits or after `timeoutMs`. */
  #next(accept: (message: WorkerMessage) => boolean, timeoutMs: number, what: string): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      const finish = (error: Error | undefined, message?: WorkerMessage) => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
        if (error === undefined) resolve(message!);
        else reject(error);
      };
      const listener = (message: WorkerMessage) => accept(message) && finish(undefined, message);
      const timer = setTimeout(() => finish(new Error(`${this.name}: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      this.#listeners.add(listener);
      void this.#exited.then((exit) => {
        finish(new Error(`${this.name} exited (${JSON.stringify(exit)}) before its ${what}`));
      });
    });
  }

  /** Polls /proc/<pid>/stat for up to 2 s until the process state passes `check`. */
  async #waitForState(check: (state: string) => boolean): Promise<boolean> {
    const deadline = Date.now() + 2_000;
    for (;;) {
      const state = /^\d+ \(.*\) (\S)/s.exec(readFileSync(`/proc/${this.pid}/stat`, "utf8"))?.[1] ?? "?";
      if (check(state)) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

/** `promise`'s value, or undefined after `ms` (the timer is cleared either way, so no handle is left). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
