// One chaos run from start to verdict: a throwaway cluster, a proxy per worker, K workers (some
// with shifted clocks) under a paced workload, faults from a seeded schedule, then settle,
// hygiene, invariants and a summary. Nobody recovers a lost worker's workflows by hand: the
// live workers adopt them through the executor leases.
// Every phase is bounded in time; whatever happens, the cluster and the workers are torn down.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres, { type Sql } from "postgres";
import type { ChaosProfile } from "./chaos-profile.js";
import { checkLiveHygiene, checkShutdownHygiene, checkWorkerExits } from "./check-hygiene.js";
import { checkInvariants, Violations, type DuplicateFigures, type InvariantResult } from "./check-invariants.js";
import { FaultInjector } from "./fault-injector.js";
import { scheduleFaults } from "./fault-plan.js";
import { distribution, recoveryTimes, type Distribution, type RecoveryFigures } from "./recovery-times.js";
import { readRunHistory } from "./run-history.js";
import { SeededRandom } from "./seeded-random.js";
import { TcpProxy } from "./tcp-proxy.js";
import { ThrowawayCluster } from "./throwaway-cluster.js";
import {
  countObservableStops,
  countZombies,
  summarizeWorkerLogs,
  type WorkerLogSummary,
} from "./worker-log-summary.js";
import { WorkerFleet, type WorkerProcess } from "./worker-fleet.js";
import { WorkloadDispatcher } from "./workload-dispatcher.js";

export interface ChaosSummary {
  readonly tier: string;
  readonly seed: number;
  readonly ok: boolean;
  readonly violations: string[];
  readonly seconds: { total: number; faultWindow: number; settle: number | null };
  readonly workload: Record<string, unknown>;
  readonly throughput: {
    workflowsPerSecondUnderFaults: number;
    workflowsPerSecondOverall: number;
    stepsPerSecondUnderFaults: number;
  };
  readonly faults: {
    injected: number;
    byKind: Record<string, number>;
    failedToInject: Record<string, string[]>;
    workerKills: number;
    killsWithNewExecutorID: number;
    workerStops: number;
    /** Stopped workers that found, after SIGCONT, that their lease had lapsed and their workflows were adopted. */
    stoppedWorkersThatLostTheirLease: number;
    /** Stopped workers that lived on after SIGCONT long enough to find their lease lapsed. */
    stoppedWorkersObservable: number;
    ambiguousCommits: Record<string, number>;
    skippedPastWindow: number;
  };
  readonly leases: { renewMs: number; lapseMs: number };
  /** Each slot's planned clock shift (s), and the shifts its processes showed (ms, rounded to 100 ms). */
  readonly clocks: { skewS: number[]; measuredSkewMs: Record<string, number[]>; notSkewed: string | null };
  readonly duplicates: DuplicateFigures;
  /** Durable sleeps that woke up to 2 ms before their recorded time (timer granularity). */
  readonly earlyWakesWithinSlack: number;
  /** Step begins a SIGSTOPped process stamped right on its SIGCONT, decided before the pause (not I4). */
  readonly stampedOnResume: number;
  readonly recovery: RecoveryFigures & { workerLaunchMs: Distribution };
  readonly workerLogs: WorkerLogSummary;
  readonly workerExits: Record<string, number>;
  readonly invariants: Record<string, Omit<InvariantResult, "id">>;
  /** Kept (logs, effect logs) when the run failed or DURABLY_CHAOS_KEEP=1. */
  readonly runDir: string | null;
}

export interface RunChaosOptions {
  readonly seed: number;
  readonly binDir: string;
  /** Progress lines (one per phase and every 10 s). */
  readonly log: (line: string) => void;
  readonly keepRunDir?: boolean;
  /** Aborting it ends the run at the next pause, skips the checks, and still tears everything down. */
  readonly signal?: AbortSignal;
  /**
   * Why the workers' clocks cannot be shifted here (libfaketime missing): they run unshifted and
   * the summary says so. Undefined: shift them as the profile asks.
   */
  readonly notSkewed?: string;
}

/** How far a worker's clock may be from its planned shift (its Date.now() crosses IPC and a loaded machine). */
const skewToleranceMs = 3_000;

const schema = "dbos";
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runChaos(profile: ChaosProfile, options: RunChaosOptions): Promise<ChaosSummary> {
  const { log, seed } = options;
  const startedAt = Date.now();
  const random = new SeededRandom(seed);
  const runDir = await mkdtemp(join(tmpdir(), "durably-chaos-"));
  await mkdir(join(runDir, "logs"));
  await mkdir(join(runDir, "effects"));
  log(`chaos ${profile.tier}: seed ${seed}, run folder ${runDir}`);

  let cluster: ThrowawayCluster | undefined;
  let admin: Sql | undefined;
  const proxies: TcpProxy[] = [];
  let fleet: WorkerFleet | undefined;
  let ok = false;
  let stopBackground = () => undefined as void;
  // Every wait of the main flow: ends the run early (to the finally) when options.signal aborts.
  const wait = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (options.signal?.aborted) return reject(new Error("chaos run aborted"));
      const aborted = () => (clearTimeout(timer), reject(new Error("chaos run aborted")));
      const timer = setTimeout(() => (options.signal?.removeEventListener("abort", aborted), resolve()), ms);
      options.signal?.addEventListener("abort", aborted, { once: true });
    });
  try {
    cluster = await ThrowawayCluster.create({ baseDir: runDir, binDir: options.binDir });
    const root = postgres(cluster.url(), { max: 1, onnotice: () => undefined });
    await root`create database chaos`;
    await root.end();
    // Direct, not through a proxy: the harness's view must not suffer the faults it injects.
    admin = postgres(cluster.url("chaos"), {
      max: 3,
      onnotice: () => undefined,
      connect_timeout: 5,
      connection: { application_name: "chaos-harness" },
    });
    for (let k = 0; k < profile.workers; k++) proxies.push(await TcpProxy.start(cluster.port));
    log(`postgres on port ${cluster.port}, proxies on ${proxies.map((p) => p.port).join(", ")}`);

    const handlers: { dispatcher?: WorkloadDispatcher } = {};
    const clockSkewS = options.notSkewed === undefined ? [...profile.clockSkewS] : profile.clockSkewS.map(() => 0);
    if (options.notSkewed !== undefined) log(`workers' clocks not shifted: ${options.notSkewed}`);
    const launchMs: number[] = [];
    fleet = new WorkerFleet({
      size: profile.workers,
      databaseUrl: (slot) => `postgres://postgres@127.0.0.1:${proxies[slot]!.port}/chaos`,
      runDir,
      poolSize: profile.poolSize,
      pollIntervalMs: profile.pollIntervalMs,
      leaseRenewMs: profile.leaseRenewMs,
      leaseLapseMs: profile.leaseLapseMs,
      clockSkewS,
      maxLifetimeMs: profile.warmupMs + profile.faultWindowMs + profile.settleMs + 300_000,
      onMessage: (slot, message) => {
        if (message.type === "launched") launchMs.push(message.ms);
        handlers.dispatcher?.onMessage(slot, message);
      },
      onOrphaned: (ids) => handlers.dispatcher?.onOrphaned(ids),
    });
    const dispatcher = new WorkloadDispatcher(profile, random, fleet);
    handlers.dispatcher = dispatcher;
    fleet.startAll();
    if (!(await fleet.waitAllReady(120_000)))
      throw new Error("the workers did not all launch within 120 s; see their logs");
    log(
      `${profile.workers} workers launched; clocks shifted by ${clockSkewS.join(", ")} s; ` +
        `lease renewed every ${profile.leaseRenewMs} ms, lapses after ${profile.leaseLapseMs} ms`,
    );

    const statusCounts = new Map<string, number>();
    const poller = pollStatuses(admin, statusCounts);
    const succeeded = () => statusCounts.get("SUCCESS") ?? 0;
    const injector = new FaultInjector({
      cluster,
      proxies,
      fleet,
      admin,
      random,
      settings: profile.faultSettings,
      ambiguousStatements: profile.ambiguousStatements,
    });
    const hardDeadline = startedAt + profile.warmupMs + profile.faultWindowMs + profile.settleMs + 240_000;
    const dispatching = dispatcher.run(hardDeadline, succeeded);
    const progress = setInterval(() => log(progressLine(statusCounts, dispatcher, injector, fleet!)), 10_000);
    stopBackground = () => {
      clearInterval(progress);
      poller.stop();
      dispatcher.stop();
    };

    await wait(profile.warmupMs);
    const faultsFrom = Date.now();
    const schedule = scheduleFaults(profile.faults, profile.faultWindowMs, random);
    log(`injecting ${schedule.length} faults over ${profile.faultWindowMs / 1000} s`);
    let skipped = 0;
    for (const fault of schedule) {
      const delay = faultsFrom + fault.atMs - Date.now();
      await wait(Math.max(0, delay)); // also where an abort ends the run
      // Faults run one after another; give up on the rest once far past the window.
      if (Date.now() > faultsFrom + profile.faultWindowMs + 30_000) {
        skipped++;
        continue;
      }
      const record = await injector.inject(fault.kind);
      if (record.error !== undefined) log(`fault ${fault.kind} failed: ${record.error}`);
    }
    const faultsUntil = Date.now();
    if (profile.startWindowMs === 0) dispatcher.close();
    await injector.healAll();
    for (const slot of fleet.slots) if (slot.child === undefined) fleet.spawn(slot);
    log(`faults over after ${Math.round((faultsUntil - faultsFrom) / 1000)} s; healing and settling`);

    const settleDeadline = faultsUntil + profile.settleMs;
    const confirmed = await dispatching;
    let settledAt: number | null = null;
    while (Date.now() < settleDeadline) {
      if (confirmed && succeeded() >= dispatcher.inputs.size) {
        settledAt = Date.now();
        break;
      }
      await wait(250);
    }
    await refreshStatuses(admin, statusCounts);
    if (settledAt === null && succeeded() >= dispatcher.inputs.size && confirmed) settledAt = Date.now();
    clearInterval(progress);
    log(
      settledAt === null
        ? `not settled within ${profile.settleMs / 1000} s`
        : `settled ${Math.round((settledAt - faultsUntil) / 1000)} s after the last fault`,
    );

    await wait(2_000); // let reconnects after the last fault finish before counting sessions
    const live = await checkLiveHygiene(admin, fleet, proxies, profile.poolSize);
    const hung = await fleet.stopAll(25_000);
    poller.stop();
    const shutdownClean = await checkShutdownHygiene(admin, hung);
    const exits = checkWorkerExits(fleet.exits);

    // For a diagnosis when the run is kept: what was injected when, and what the proxies saw.
    await writeFile(
      join(runDir, "faults.json"),
      JSON.stringify(
        {
          seed,
          faults: injector.records,
          kills: injector.kills,
          exits: fleet.exits,
          processes: fleet.processes,
          proxies: proxies.map((p) => p.stats),
        },
        null,
        1,
      ),
    );
    const history = await readRunHistory(admin, schema, join(runDir, "effects"));
    const processes = fleet.processes;
    const { invariants, duplicates, earlyWakesWithinSlack, stampedOnResume } = checkInvariants({
      history,
      expected: dispatcher.inputs,
      handleResults: dispatcher.results,
      handleErrors: dispatcher.resultErrors,
      pauses: injector.stops.flatMap((stop) => {
        const paused = processes.find((p) => p.pid === stop.pid && p.slot === stop.slot);
        return paused === undefined ? [] : [{ file: paused.effectsFile, at: stop.at, resumedAt: stop.resumedAt }];
      }),
    });
    const all = [...invariants, ...live, shutdownClean, exits, checkClockSkews(fleet.processes, clockSkewS)];
    if (!confirmed)
      all.push({ id: "I1b", name: "every start request was confirmed", held: false, violations: 1, samples: [] });
    const violations = all
      .filter((i) => !i.held)
      .map((i) => `${i.id} (${i.name}): ${i.violations} violation(s), e.g. ${JSON.stringify(i.samples.slice(0, 3))}`);
    ok = violations.length === 0;

    const windowS = (faultsUntil - faultsFrom) / 1000;
    let doneInWindow = 0;
    let first = Infinity;
    let last = 0;
    for (const row of history.statuses.values()) {
      first = Math.min(first, row.createdAt);
      if (row.completedAt === null) continue;
      last = Math.max(last, row.completedAt);
      if (row.completedAt >= faultsFrom && row.completedAt <= faultsUntil) doneInWindow++;
    }
    const byKind: Record<string, number> = {};
    const failedToInject: Record<string, string[]> = {};
    const ambiguousCommits: Record<string, number> = {};
    for (const r of injector.records) {
      byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
      if (r.error !== undefined) (failedToInject[r.kind] ??= []).push(r.error.slice(0, 200));
      if (r.kind === "ambiguous-commit") {
        const key = `${String(r.detail.statement)}: ${r.detail.fired ? "dropped" : "not seen in 5 s"}`;
        ambiguousCommits[key] = (ambiguousCommits[key] ?? 0) + 1;
      }
    }
    const exitKinds: Record<string, number> = {};
    for (const e of fleet.exits) {
      const key =
        e.signal === "SIGKILL" && e.expected
          ? "sigkilled by the harness"
          : e.code === 75
            ? "launch failed (exit 75), restarted"
            : e.code === 0
              ? "clean shutdown"
              : `exit ${e.code ?? e.signal}${e.expected ? "" : " (unexpected)"}`;
      exitKinds[key] = (exitKinds[key] ?? 0) + 1;
    }
    return {
      tier: profile.tier,
      seed,
      ok,
      violations,
      seconds: {
        total: Math.round((Date.now() - startedAt) / 1000),
        faultWindow: Math.round(windowS),
        settle: settledAt === null ? null : Math.round((settledAt - faultsUntil) / 100) / 10,
      },
      workload: {
        workflows: dispatcher.inputs.size,
        stepsEach: profile.steps,
        workers: profile.workers,
        poolSize: profile.poolSize,
        succeeded: succeeded(),
        startResends: dispatcher.resends,
        startFailures: dispatcher.startFailures,
        effectLines: history.effectLines,
        tornEffectLines: history.tornLines,
      },
      throughput: {
        workflowsPerSecondUnderFaults: round(doneInWindow / windowS),
        workflowsPerSecondOverall: round(history.statuses.size / Math.max(0.001, (last - first) / 1000)),
        stepsPerSecondUnderFaults: round((doneInWindow * profile.steps) / windowS),
      },
      faults: {
        injected: injector.records.length,
        byKind,
        failedToInject,
        workerKills: injector.kills.length,
        killsWithNewExecutorID: injector.kills.filter((k) => k.newExecutorID).length,
        workerStops: injector.stops.length,
        stoppedWorkersThatLostTheirLease: countZombies(injector.stops, fleet.processes),
        stoppedWorkersObservable: countObservableStops(injector.stops, fleet.processes),
        ambiguousCommits,
        skippedPastWindow: skipped,
      },
      leases: { renewMs: profile.leaseRenewMs, lapseMs: profile.leaseLapseMs },
      clocks: {
        skewS: clockSkewS,
        measuredSkewMs: measuredSkews(fleet.processes),
        notSkewed: options.notSkewed ?? null,
      },
      duplicates,
      earlyWakesWithinSlack,
      stampedOnResume,
      recovery: {
        ...recoveryTimes(history, injector.kills, injector.stops, fleet.processes),
        workerLaunchMs: distribution(launchMs),
      },
      workerLogs: summarizeWorkerLogs(join(runDir, "logs")),
      workerExits: exitKinds,
      invariants: Object.fromEntries(all.map(({ id, ...rest }) => [id, rest])),
      runDir: ok && !options.keepRunDir ? null : runDir,
    };
  } finally {
    stopBackground();
    fleet?.killAll();
    for (const proxy of proxies) await proxy.close();
    await admin?.end({ timeout: 2 }).catch(() => undefined);
    await cluster?.destroy();
    if (ok && !options.keepRunDir) await rm(runDir, { recursive: true, force: true });
    else log(`run files kept in ${runDir}`);
  }
}

/**
 * The premise of the clock-skewed workers: each process's Date.now() at start was its slot's
 * planned shift off ours (libfaketime took effect; LD_PRELOAD failing is only a warning).
 */
function checkClockSkews(processes: readonly WorkerProcess[], skewS: readonly number[]): InvariantResult {
  const off = new Violations("P1", `every worker's clock was shifted as planned (within ${skewToleranceMs} ms)`);
  for (const [slot, planned] of skewS.entries()) {
    const seen = processes.some((p) => p.slot === slot && p.measuredSkewMs !== undefined);
    if (planned === 0 || seen) continue;
    off.add({ slot, plannedS: planned, problem: "no worker of this slot reported its clock" });
  }
  for (const p of processes) {
    if (p.measuredSkewMs === undefined || Math.abs(p.measuredSkewMs - p.clockSkewMs) <= skewToleranceMs) continue;
    off.add({ pid: p.pid, executorID: p.executorID, plannedMs: p.clockSkewMs, measuredMs: p.measuredSkewMs });
  }
  return off.result();
}

/** The distinct clock shifts each slot's processes showed, rounded to 100 ms. */
function measuredSkews(processes: readonly WorkerProcess[]): Record<string, number[]> {
  const bySlot: Record<string, Set<number>> = {};
  for (const p of processes) {
    if (p.measuredSkewMs === undefined) continue;
    (bySlot[`w${p.slot}`] ??= new Set()).add(Math.round(p.measuredSkewMs / 100) * 100);
  }
  return Object.fromEntries(Object.entries(bySlot).map(([slot, set]) => [slot, [...set].sort((a, b) => a - b)]));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Keeps `into` up to date with the count of workflows per status, every second, until stopped. */
function pollStatuses(admin: Sql, into: Map<string, number>): { stop(): void } {
  let stopped = false;
  void (async () => {
    while (!stopped) {
      await refreshStatuses(admin, into).catch(() => undefined);
      await pause(1_000);
    }
  })();
  return { stop: () => void (stopped = true) };
}

async function refreshStatuses(admin: Sql, into: Map<string, number>): Promise<void> {
  const rows = await admin`select status, count(*)::int as n from ${admin(schema)}.workflow_status group by status`;
  into.clear();
  for (const r of rows) into.set(r.status, r.n);
}

function progressLine(
  counts: Map<string, number>,
  dispatcher: WorkloadDispatcher,
  injector: FaultInjector,
  fleet: WorkerFleet,
): string {
  const statuses = [...counts].map(([s, n]) => `${s} ${n}`).join(", ");
  return (
    `asked ${dispatcher.inputs.size}, confirmed ${dispatcher.confirmed.size}; ${statuses}; ` +
    `faults ${injector.records.length}; workers ready ${fleet.readySlots().length}`
  );
}
