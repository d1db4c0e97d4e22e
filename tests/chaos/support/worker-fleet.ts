// The harness's side of the chaos workers: K slots, each running one worker process at a time;
// starts, SIGKILLs, SIGSTOPs and restarts them (same or new executor ID), some with a shifted
// clock, and routes their messages.
import { fork, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { skewedClockEnv } from "@durably/testing";
import type { ChaosInput } from "./result-chain.js";
import { workerExitCodes, type HarnessMessage, type WorkerConfig, type WorkerMessage } from "./worker-messages.js";

const workerScript = fileURLToPath(new URL("./chaos-worker.ts", import.meta.url));
/** A bound on worker processes per run, whatever goes wrong. */
const maxSpawns = 2_000;
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export interface FleetOptions {
  readonly size: number;
  /** URL for slot k's workers (each slot has its own proxy). */
  readonly databaseUrl: (slot: number) => string;
  /** Set when databaseUrl goes through a transaction pooler (the workers' transactionPooler). */
  readonly transactionPooler?: boolean;
  /** A direct URL for slot k's LISTEN (the workers' listenUrl); undefined: none. */
  readonly listenUrl?: (slot: number) => string | undefined;
  readonly runDir: string;
  readonly poolSize: number;
  readonly pollIntervalMs: number;
  readonly leaseRenewMs: number;
  readonly leaseLapseMs: number;
  /** Seconds slot k's workers' clocks run ahead (libfaketime; 0 or missing: not shifted). */
  readonly clockSkewS: readonly number[];
  readonly maxLifetimeMs: number;
  readonly onMessage: (slot: Slot, message: WorkerMessage) => void;
  /** Workflows sent to a worker that died before confirming it started them. */
  readonly onOrphaned: (ids: string[]) => void;
}

/** How a worker process ended. */
export interface WorkerExit {
  readonly slot: number;
  readonly pid: number;
  readonly executorID: string;
  readonly code: number | null;
  readonly signal: string | null;
  /** True when the harness killed it or asked it to stop. */
  readonly expected: boolean;
  readonly at: number;
}

/** One worker process the fleet started. */
export interface WorkerProcess {
  readonly slot: number;
  readonly pid: number;
  readonly executorID: string;
  /** File name of its effect log, in `<runDir>/effects`. */
  readonly effectsFile: string;
  /** Path of its log (stdout and stderr). */
  readonly logFile: string;
  readonly spawnedAt: number;
  /** The shift asked of libfaketime, and the one seen (its Date.now() at start against ours). */
  readonly clockSkewMs: number;
  measuredSkewMs: number | undefined;
}

export interface Slot {
  readonly index: number;
  generation: number;
  executorID: string;
  child: ChildProcess | undefined;
  pid: number | undefined;
  ready: boolean;
  launchingAt: number | undefined;
  /** Start requests sent and not yet confirmed. */
  readonly unconfirmed: Set<string>;
  /** Workflows its worker started and has not reported a result for yet. */
  readonly running: Set<string>;
  /** Set when the harness kills or stops this process, so its exit is expected. */
  expectExit: boolean;
  /** SIGSTOPped: sent nothing until SIGCONT. */
  paused: boolean;
}

export class WorkerFleet {
  readonly slots: Slot[];
  readonly exits: WorkerExit[] = [];
  readonly processes: WorkerProcess[] = [];
  readonly #options: FleetOptions;
  #next = 0;
  #spawns = 0;
  #stopping = false;
  readonly #waiters = new Set<() => void>();

  constructor(options: FleetOptions) {
    this.#options = options;
    this.slots = Array.from({ length: options.size }, (_, index) => ({
      index,
      generation: 0,
      executorID: `w${index}-g0`,
      child: undefined,
      pid: undefined,
      ready: false,
      launchingAt: undefined,
      unconfirmed: new Set<string>(),
      running: new Set<string>(),
      expectExit: false,
      paused: false,
    }));
  }

  startAll(): void {
    for (const slot of this.slots) this.spawn(slot);
  }

  /** Resolves when every slot's worker has launched, or after `timeoutMs`. */
  async waitAllReady(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.slots.every((s) => s.ready)) return true;
      await this.changed(Math.min(500, deadline - Date.now()));
    }
    return this.slots.every((s) => s.ready);
  }

  /** Waits until some worker reports something, or `ms` pass. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  /** Slots whose worker has launched and is not paused. */
  readySlots(): Slot[] {
    return this.slots.filter((s) => s.ready && !s.paused);
  }

  spawn(slot: Slot): void {
    if (this.#stopping) return;
    const listenUrl = this.#options.listenUrl?.(slot.index);
    const config: WorkerConfig = {
      slot: slot.index,
      generation: slot.generation,
      executorID: slot.executorID,
      databaseUrl: this.#options.databaseUrl(slot.index),
      ...(this.#options.transactionPooler === undefined ? {} : { transactionPooler: this.#options.transactionPooler }),
      ...(listenUrl === undefined ? {} : { listenUrl }),
      effectsPath: "",
      poolSize: this.#options.poolSize,
      pollIntervalMs: this.#options.pollIntervalMs,
      leaseRenewMs: this.#options.leaseRenewMs,
      leaseLapseMs: this.#options.leaseLapseMs,
      clockSkewMs: (this.#options.clockSkewS[slot.index] ?? 0) * 1000,
      maxLifetimeMs: this.#options.maxLifetimeMs,
    };
    if (this.#spawns++ >= maxSpawns) return;
    const stamp = `${slot.executorID}-${Date.now()}`;
    const logFile = join(this.#options.runDir, "logs", `${stamp}.log`);
    const logFd = openSync(logFile, "a");
    const child = fork(workerScript, [], {
      execArgv: ["--import", tsxLoader],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CHAOS_WORKER: JSON.stringify({
          ...config,
          effectsPath: join(this.#options.runDir, "effects", `${stamp}.jsonl`),
        }),
        // For a diagnosis, e.g. --trace-warnings.
        ...(process.env.DURABLY_CHAOS_WORKER_NODE_OPTIONS
          ? { NODE_OPTIONS: process.env.DURABLY_CHAOS_WORKER_NODE_OPTIONS }
          : {}),
        ...(config.clockSkewMs === 0 ? {} : skewedClockEnv(config.clockSkewMs / 1000, {})),
      },
      stdio: ["ignore", logFd, logFd, "ipc"],
      serialization: "json",
    });
    closeSync(logFd);
    slot.child = child;
    slot.pid = child.pid;
    const record: WorkerProcess = {
      slot: slot.index,
      pid: child.pid ?? -1,
      executorID: slot.executorID,
      effectsFile: `${stamp}.jsonl`,
      logFile,
      spawnedAt: Date.now(),
      clockSkewMs: config.clockSkewMs,
      measuredSkewMs: undefined,
    };
    this.processes.push(record);
    slot.ready = false;
    slot.expectExit = false;
    slot.paused = false;
    slot.launchingAt = undefined;
    child.on("message", (message: WorkerMessage) => {
      if (slot.child !== child) return;
      if (message.type === "launching") {
        slot.launchingAt = Date.now();
        record.measuredSkewMs = message.now - slot.launchingAt;
      }
      if (message.type === "launched") slot.ready = true;
      if (message.type === "started" || message.type === "start-failed") slot.unconfirmed.delete(message.id);
      if (message.type === "started") slot.running.add(message.id);
      if (message.type === "result" || message.type === "result-error") slot.running.delete(message.id);
      this.#options.onMessage(slot, message);
      this.#wake();
    });
    child.on("error", () => undefined);
    child.on("exit", (code, signal) => this.#exited(slot, child, code, signal));
  }

  /**
   * SIGKILLs slot's worker and waits for it to die. With `newExecutorID`, the next worker of the
   * slot gets a new executor ID (the live workers adopt the old one's workflows when its lease lapses).
   */
  async kill(
    slot: Slot,
    options: { newExecutorID: boolean },
  ): Promise<{ pid: number | undefined; executorID: string; at: number }> {
    const child = slot.child;
    const killed = { pid: slot.pid, executorID: slot.executorID, at: Date.now() };
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      slot.expectExit = true;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([gone, new Promise((r) => (timer = setTimeout(r, 5_000)))]);
      clearTimeout(timer);
    }
    if (options.newExecutorID) {
      slot.generation++;
      slot.executorID = `w${slot.index}-g${slot.generation}`;
    }
    return killed;
  }

  /** SIGSTOPs slot's worker (false if it has none); the dispatcher skips it until {@link resume}. */
  pause(slot: Slot): { pid: number; executorID: string } | undefined {
    const child = slot.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null || slot.paused) return undefined;
    slot.paused = true;
    child.kill("SIGSTOP");
    return { pid: child.pid ?? -1, executorID: slot.executorID };
  }

  /** SIGCONTs slot's worker if it is paused. */
  resume(slot: Slot): void {
    if (!slot.paused) return;
    slot.paused = false;
    slot.child?.kill("SIGCONT");
    this.#wake();
  }

  /** Sends start requests to the ready workers in turn; returns how many were sent. */
  dispatch(workflows: Array<{ id: string; input: ChaosInput }>, perWorker: number): number {
    const ready = this.readySlots();
    if (ready.length === 0) return 0;
    let sent = 0;
    for (let i = 0; i < ready.length && sent < workflows.length; i++) {
      const slot = ready[this.#next++ % ready.length]!;
      const batch = workflows.slice(sent, sent + perWorker);
      if (!this.send(slot, { type: "start", workflows: batch })) continue;
      for (const w of batch) slot.unconfirmed.add(w.id);
      sent += batch.length;
    }
    return sent;
  }

  send(slot: Slot, message: HarnessMessage): boolean {
    const child = slot.child;
    if (child === undefined || !child.connected || !slot.ready || slot.paused) return false;
    try {
      return child.send(message, undefined, {}, () => undefined);
    } catch {
      return false;
    }
  }

  /** Asks every worker to shut down; SIGKILLs those still alive after `timeoutMs`. Returns the hung slots. */
  async stopAll(timeoutMs: number): Promise<number[]> {
    this.#stopping = true;
    const alive = this.slots.filter(
      (s) => s.child !== undefined && s.child.exitCode === null && s.child.signalCode === null,
    );
    const timers: NodeJS.Timeout[] = [];
    const exits = alive.map((s) => {
      s.expectExit = true;
      const child = s.child!;
      const gone = new Promise<boolean>((resolve) => child.once("exit", () => resolve(true)));
      if (
        !child.connected ||
        !child.send({ type: "shutdown" } satisfies HarnessMessage, undefined, {}, () => undefined)
      )
        child.kill("SIGKILL");
      return Promise.race([gone, new Promise<boolean>((r) => timers.push(setTimeout(() => r(false), timeoutMs)))]);
    });
    const results = await Promise.all(exits);
    for (const timer of timers) clearTimeout(timer);
    const hung = alive.filter((_, i) => !results[i]).map((s) => s.index);
    for (const index of hung) this.slots[index]!.child?.kill("SIGKILL");
    return hung;
  }

  /** Kills whatever still runs; for cleanup paths. */
  killAll(): void {
    this.#stopping = true;
    for (const slot of this.slots) {
      slot.expectExit = true;
      slot.paused = false;
      if (slot.child?.exitCode === null && slot.child.signalCode === null) slot.child.kill("SIGKILL");
    }
  }

  #exited(slot: Slot, child: ChildProcess, code: number | null, signal: string | null): void {
    const expected = slot.expectExit && slot.child === child;
    this.exits.push({
      slot: slot.index,
      pid: child.pid ?? -1,
      executorID: slot.executorID,
      code,
      signal,
      expected,
      at: Date.now(),
    });
    if (slot.child !== child) return;
    slot.child = undefined;
    slot.ready = false;
    slot.paused = false;
    slot.running.clear();
    const orphaned = [...slot.unconfirmed];
    slot.unconfirmed.clear();
    if (orphaned.length > 0) this.#options.onOrphaned(orphaned);
    this.#wake();
    // An exit the harness did not cause (a failed launch, a crash): start a new worker after a pause.
    if (!expected && !this.#stopping)
      setTimeout(
        () => slot.child === undefined && this.spawn(slot),
        code === workerExitCodes.launchFailed ? 500 : 1_000,
      );
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
