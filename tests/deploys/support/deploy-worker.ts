// The parent's side of deploy-worker.mjs: spawn a worker of one code version, start workflows on
// it, read its log lines, shut it down.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface DeployWorkerConfig {
  readonly url: string;
  readonly appName: string;
  readonly version: string;
  readonly code: "v1" | "v2" | "v2-unguarded";
  readonly effectLog: string;
  readonly sleepMs: number;
  readonly compatibleVersions?: readonly string[];
  readonly upgradeStrandedVersions?: boolean;
}

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

type WorkerMessage =
  | { type: "launched" | "started" | "shut-down" }
  | { type: "failed"; error: string }
  | ({ type: "log" } & LogLine);

const script = fileURLToPath(new URL("./deploy-worker.mjs", import.meta.url));

export class DeployWorker {
  readonly logs: LogLine[] = [];
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  #waiters: Array<{ type: string; resolve: () => void; reject: (error: Error) => void }> = [];

  private constructor(config: DeployWorkerConfig) {
    this.#child = fork(script, [JSON.stringify(config)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.#child.on("message", (message: WorkerMessage) => {
      if (message.type === "log") {
        this.logs.push({ level: message.level, message: message.message, fields: message.fields });
      } else if (message.type === "failed") for (const w of this.#waiters.splice(0)) w.reject(new Error(message.error));
      else for (const w of this.#take(message.type)) w.resolve();
    });
    this.#exited = new Promise((resolve) => this.#child.on("exit", (code) => resolve(code)));
    void this.#exited.then((code) => {
      for (const w of this.#waiters.splice(0)) w.reject(new Error(`worker exited (code ${code}) before "${w.type}"`));
    });
  }

  /** Spawns a worker and waits until it launched (recovery done). */
  static async start(config: DeployWorkerConfig): Promise<DeployWorker> {
    const worker = new DeployWorker(config);
    await worker.#await("launched", 30_000);
    return worker;
  }

  /** Starts these workflows on the worker (runWorkflow returns once each is recorded). */
  async run(workflows: ReadonlyArray<{ id: string; n: number }>): Promise<void> {
    const started = this.#await("started", 30_000);
    this.#child.send({ type: "start", workflows });
    await started;
  }

  /** Graceful shutdown (drainMs 0: runs stop at their next step or wait), then the process exits. */
  async shutdown(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const done = this.#await("shut-down", 30_000);
    this.#child.send({ type: "shutdown" });
    await done;
    await this.#exited;
  }

  /** Ends the process if a test failed before shutting it down. */
  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill("SIGKILL");
  }

  #take(type: string) {
    const taken = this.#waiters.filter((w) => w.type === type);
    this.#waiters = this.#waiters.filter((w) => w.type !== type);
    return taken;
  }

  #await(type: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const late = () => reject(new Error(`worker did not report "${type}" within ${timeoutMs} ms`));
      const timer = setTimeout(late, timeoutMs);
      this.#waiters.push({
        type,
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
  }
}
