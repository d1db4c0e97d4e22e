// Carries out one fault at a time against the run's own cluster, proxies and workers; never
// touches a process or connection the harness did not start.
import type { Sql } from "postgres";
import type { FaultKind } from "./fault-plan.js";
import type { SeededRandom } from "./seeded-random.js";
import type { TcpProxy } from "./tcp-proxy.js";
import type { ThrowawayCluster } from "./throwaway-cluster.js";
import type { Slot, WorkerFleet } from "./worker-fleet.js";

export interface FaultSettings {
  /** Share of SIGKILLs after which the worker comes back under a new executor ID. */
  readonly newExecutorShare: number;
  /** How long a `sigstop` keeps its worker stopped: past the lease's lapse. */
  readonly stopMs: readonly [number, number];
  readonly pgDownMs: readonly [number, number];
  readonly blackholeMs: readonly [number, number];
  readonly delayMs: readonly [number, number];
  readonly delayForMs: readonly [number, number];
  readonly refuseMs: readonly [number, number];
}

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly startedAt: number;
  endedAt: number;
  readonly target: string;
  readonly detail: Record<string, unknown>;
  error?: string;
}

export interface KillRecord {
  readonly slot: number;
  readonly pid: number | undefined;
  readonly executorID: string;
  readonly at: number;
  readonly newExecutorID: boolean;
}

/** A worker SIGSTOPped at `at` and SIGCONTed at `resumedAt` (a zombie once its lease lapsed). */
export interface StopRecord {
  readonly slot: number;
  readonly pid: number;
  readonly executorID: string;
  readonly at: number;
  resumedAt: number;
}

/**
 * Statements whose reply an `ambiguous-commit` fault drops, by the text that identifies them (as
 * sysdb's Kysely builder writes it: quoted identifiers). The smoke test asserts some were dropped,
 * so a change of statement text cannot make these faults silently miss.
 */
export const ambiguousStatements: Readonly<Record<string, string>> = {
  "checkpoint insert": '"operation_outputs" ("workflow_uuid", "function_id", "function_name", "output", "error"',
  "workflow insert": '"workflow_input" ("workflow_uuid", "inputs", "retention_timestamp")',
  "outcome write": '"workflow_output" ("workflow_uuid", "output", "error", "retention_timestamp")',
};

const workerSessions = "application_name like 'durably-chaos%'";

export class FaultInjector {
  readonly records: FaultRecord[] = [];
  readonly kills: KillRecord[] = [];
  readonly stops: StopRecord[] = [];
  readonly #cluster: ThrowawayCluster;
  readonly #proxies: readonly TcpProxy[];
  readonly #fleet: WorkerFleet;
  readonly #admin: Sql;
  readonly #random: SeededRandom;
  readonly #settings: FaultSettings;
  readonly #statements: readonly string[];

  constructor(options: {
    cluster: ThrowawayCluster;
    proxies: readonly TcpProxy[];
    fleet: WorkerFleet;
    admin: Sql;
    random: SeededRandom;
    settings: FaultSettings;
    ambiguousStatements: readonly string[];
  }) {
    this.#cluster = options.cluster;
    this.#proxies = options.proxies;
    this.#fleet = options.fleet;
    this.#admin = options.admin;
    this.#random = options.random;
    this.#settings = options.settings;
    this.#statements = options.ambiguousStatements;
  }

  /** Injects one fault of `kind` and returns when it is over (the system may still be recovering). */
  async inject(kind: FaultKind): Promise<FaultRecord> {
    const record: FaultRecord = { kind, startedAt: Date.now(), endedAt: 0, target: "all", detail: {} };
    const set = (target: string, detail: Record<string, unknown> = {}) => {
      (record as { target: string }).target = target;
      Object.assign(record.detail, detail);
    };
    this.records.push(record);
    try {
      await this.#run(kind, set);
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    }
    record.endedAt = Date.now();
    return record;
  }

  /** Undoes every lasting proxy fault: pass mode, no delay, accepting, nothing armed. */
  async healAll(): Promise<void> {
    for (const proxy of this.#proxies) {
      proxy.heal();
      proxy.setDelay(0);
      proxy.disarmDrops();
      await proxy.acceptNew();
    }
    if (!(await this.#cluster.isRunning())) await this.#cluster.start();
  }

  async #run(kind: FaultKind, set: (target: string, detail?: Record<string, unknown>) => void): Promise<void> {
    const r = this.#random;
    const oneOrAll = () => (r.chance(0.5) ? undefined : r.int(0, this.#proxies.length - 1));
    switch (kind) {
      case "sigkill": {
        const slot = this.#victim();
        const newExecutorID = r.chance(this.#settings.newExecutorShare);
        set(`w${slot.index}`, { newExecutorID });
        await this.#kill(slot, newExecutorID);
        await pause(r.between(0, 1_000));
        this.#fleet.spawn(slot);
        return;
      }
      case "sigkill-in-recovery": {
        const slot = this.#victim();
        set(`w${slot.index}`);
        await this.#kill(slot, false);
        this.#fleet.spawn(slot);
        const launching = await this.#launching(slot);
        // Half inside launch() itself (it takes ~100 ms), half while recovered workflows replay.
        await pause(r.chance(0.5) ? r.between(0, 120) : r.between(120, 1_500));
        set(`w${slot.index}`, { secondKillAfterLaunchingMs: launching === undefined ? null : Date.now() - launching });
        await this.#kill(slot, false);
        await pause(r.between(0, 500));
        this.#fleet.spawn(slot);
        return;
      }
      case "sigstop": {
        // Only a live worker can adopt what the stopped one holds: wait (a while) for two launched
        // ones; on a machine too loaded for that, stop one anyway, even while it launches.
        const deadline = Date.now() + 20_000;
        while (this.#fleet.readySlots().length < 2 && Date.now() < deadline) await this.#fleet.changed(250);
        const ready = this.#fleet.readySlots();
        const running = this.#fleet.slots.filter((s) => s.child !== undefined && !s.paused);
        if (running.length === 0) throw new Error("no worker process to stop");
        // The worker running the most workflows, so that there is something to adopt.
        const candidates = ready.length > 0 ? ready : running;
        const most = Math.max(...candidates.map((s) => s.running.size));
        const slot = r.pick(candidates.filter((s) => s.running.size === most));
        const ms = Math.round(r.between(...this.#settings.stopMs));
        const paused = this.#fleet.pause(slot);
        if (paused === undefined) throw new Error(`w${slot.index} has no process to stop`);
        const stop: StopRecord = { slot: slot.index, ...paused, at: Date.now(), resumedAt: 0 };
        this.stops.push(stop);
        const othersReady = ready.filter((s) => s !== slot).length;
        set(`w${slot.index}`, { ms, pid: paused.pid, othersReady, running: slot.running.size });
        try {
          await pause(ms);
        } finally {
          this.#fleet.resume(slot);
          stop.resumedAt = Date.now();
        }
        return;
      }
      case "pg-restart": {
        const downMs = Math.round(r.between(...this.#settings.pgDownMs));
        set("postgres", { downMs });
        await this.#cluster.crashRestart(downMs);
        return;
      }
      case "pg-restart-in-recovery": {
        const slot = this.#victim();
        const downMs = Math.round(r.between(...this.#settings.pgDownMs));
        set(`w${slot.index}+postgres`, { downMs });
        await this.#kill(slot, false);
        this.#fleet.spawn(slot);
        const launching = await this.#launching(slot);
        await pause(r.chance(0.5) ? r.between(0, 120) : r.between(120, 1_200));
        set(`w${slot.index}+postgres`, {
          crashAfterLaunchingMs: launching === undefined ? null : Date.now() - launching,
        });
        await this.#cluster.crashRestart(downMs);
        return;
      }
      case "terminate-sweep":
      case "listener-kill": {
        const slot = oneOrAll();
        const listenOnly = kind === "listener-kill" ? "and query ilike 'listen%'" : "";
        const ports = slot === undefined ? undefined : [...this.#proxies[slot]!.upstreamPorts()];
        set(slot === undefined ? "all" : `w${slot}`);
        const [row] = await this.#admin.unsafe(
          `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
           where ${workerSessions} ${listenOnly} ${ports === undefined ? "" : "and client_port = any($1::int[])"}`,
          ports === undefined ? [] : [ports],
        );
        set(slot === undefined ? "all" : `w${slot}`, { terminated: row?.n ?? 0 });
        return;
      }
      case "proxy-reset": {
        const slot = oneOrAll();
        const targets = slot === undefined ? this.#proxies : [this.#proxies[slot]!];
        set(slot === undefined ? "all" : `w${slot}`, { reset: targets.reduce((n, p) => n + p.resetAll(), 0) });
        return;
      }
      case "proxy-blackhole": {
        const slot = r.chance(0.7) ? undefined : r.int(0, this.#proxies.length - 1);
        const targets = slot === undefined ? this.#proxies : [this.#proxies[slot]!];
        const ms = Math.round(r.between(...this.#settings.blackholeMs));
        const heal = r.chance(0.7) ? "resume" : "reset";
        set(slot === undefined ? "all" : `w${slot}`, { ms, heal });
        for (const p of targets) p.blackhole();
        await pause(ms);
        for (const p of targets) p.heal(heal);
        return;
      }
      case "proxy-delay": {
        const ms = Math.round(r.between(...this.#settings.delayMs));
        const forMs = Math.round(r.between(...this.#settings.delayForMs));
        set("all", { delayMs: ms, forMs });
        for (const p of this.#proxies) p.setDelay(ms);
        await pause(forMs);
        for (const p of this.#proxies) p.setDelay(0);
        return;
      }
      case "proxy-refuse": {
        const slot = oneOrAll();
        const targets = slot === undefined ? this.#proxies : [this.#proxies[slot]!];
        const ms = Math.round(r.between(...this.#settings.refuseMs));
        set(slot === undefined ? "all" : `w${slot}`, { ms });
        for (const p of targets) {
          p.refuseNew();
          p.resetAll();
        }
        await pause(ms);
        for (const p of targets) await p.acceptNew();
        return;
      }
      case "ambiguous-commit": {
        const statement = r.pick(this.#statements);
        const slot = r.int(0, this.#proxies.length - 1);
        const proxy = this.#proxies[slot]!;
        const before = proxy.stats.droppedReplies;
        proxy.dropReplyTo(ambiguousStatements[statement] ?? statement);
        const deadline = Date.now() + 5_000;
        while (proxy.stats.droppedReplies === before && Date.now() < deadline) await pause(50);
        proxy.disarmDrops();
        set(`w${slot}`, { statement, fired: proxy.stats.droppedReplies > before });
        return;
      }
    }
  }

  /** A random slot, preferring one whose worker is running. */
  #victim(): Slot {
    const alive = this.#fleet.slots.filter((s) => s.child !== undefined);
    return this.#random.pick(alive.length > 0 ? alive : this.#fleet.slots);
  }

  async #kill(slot: Slot, newExecutorID: boolean): Promise<void> {
    const killed = await this.#fleet.kill(slot, { newExecutorID });
    this.kills.push({ slot: slot.index, pid: killed.pid, executorID: killed.executorID, at: killed.at, newExecutorID });
  }

  /** Waits (up to 15 s) for the slot's new worker to say it is launching; returns when it did. */
  async #launching(slot: Slot): Promise<number | undefined> {
    const deadline = Date.now() + 15_000;
    while (slot.launchingAt === undefined && Date.now() < deadline) await this.#fleet.changed(100);
    return slot.launchingAt;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
