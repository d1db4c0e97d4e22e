// A chaos run through a real PgBouncer in transaction mode with a small pool: K chaos workers
// (transactionPooler on; LISTEN on a direct listenUrl, or none: they poll) under a paced workload,
// SIGKILLed (restarted with the same or a new executor ID) and PgBouncer itself SIGKILLed and
// started again on the same port, from a seeded schedule; then the chaos suite's invariants on
// what the run left. Workers, effect logs, dispatcher and checks are the chaos suite's own.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPgBouncer, type PgBouncer } from "@durably/testing";
import postgres, { type Sql } from "postgres";
import { installCommitStamps } from "../../support/commit-stamps.js";
import { checkWorkerExits } from "./check-hygiene.js";
import { checkInvariants, type DuplicateFigures } from "./check-invariants.js";
import { readRunHistory } from "./run-history.js";
import { SeededRandom } from "./seeded-random.js";
import { summarizeWorkerLogs, type WorkerLogSummary } from "./worker-log-summary.js";
import { WorkerFleet, type Slot } from "./worker-fleet.js";
import { WorkloadDispatcher, type WorkloadShape } from "./workload-dispatcher.js";

export interface PoolerChaosProfile extends WorkloadShape {
  readonly workers: number;
  /** Each worker's pool (client connections to PgBouncer). */
  readonly poolSize: number;
  /** PgBouncer's server connections: fewer than the workers' connections together. */
  readonly bouncerPoolSize: number;
  readonly pollIntervalMs: number;
  readonly leaseRenewMs: number;
  readonly leaseLapseMs: number;
  readonly warmupMs: number;
  readonly faultWindowMs: number;
  readonly settleMs: number;
  readonly workerKills: number;
  /** Share of killed workers that come back under a new executor ID (the others adopt their workflows). */
  readonly newExecutorShare: number;
  readonly bouncerRestarts: number;
  /** How long PgBouncer stays down (refusing connections) at a restart. */
  readonly bouncerDownMs: readonly [number, number];
}

/** ~45 s of an idle 2-core machine per run (up to ~100 s under heavy load): 150 workflows, 3 workers, 5 worker kills and 3 PgBouncer restarts in 20 s. */
export const poolerChaosProfile: PoolerChaosProfile = {
  workers: 3,
  poolSize: 4,
  bouncerPoolSize: 4,
  pollIntervalMs: 1_000,
  workflows: 150,
  steps: 4,
  stepMs: [20, 250],
  parallelShare: 0.3,
  sleepShare: 0.3,
  sleepMs: [300, 1_500],
  echoShare: 0.3,
  startWindowMs: 18_000,
  maxInFlight: 60,
  warmupMs: 2_000,
  faultWindowMs: 20_000,
  // A bound, not the usual time (5-10 s here when idle; 30-47 s at a load average of 35).
  settleMs: 120_000,
  // A lapse well past PgBouncer's down time and a reconnect, so a restart alone does not make every worker a zombie.
  leaseRenewMs: 500,
  leaseLapseMs: 3_000,
  workerKills: 5,
  newExecutorShare: 0.4,
  bouncerRestarts: 3,
  bouncerDownMs: [0, 1_500],
};

export interface PoolerFault {
  readonly kind: "worker-sigkill" | "pgbouncer-restart";
  readonly at: number;
  readonly detail: Record<string, unknown>;
  error?: string;
}

export interface PoolerChaosSummary {
  readonly seed: number;
  readonly listen: boolean;
  readonly ok: boolean;
  readonly violations: string[];
  readonly seconds: { total: number; faultWindow: number; settle: number | null };
  readonly workload: { workflows: number; succeeded: number; startResends: number; startFailures: number };
  readonly faults: PoolerFault[];
  /** Worker kills that found workflows running on the victim, and restarts that found workflows pending. */
  readonly killsWithWorkflowsRunning: number;
  readonly restartsWithWorkflowsPending: number;
  /** Workers that said they poll because notifications do not arrive. */
  readonly pollingWarnings: number;
  readonly duplicates: DuplicateFigures;
  readonly workerLogs: WorkerLogSummary;
  readonly runDir: string | null;
}

export interface RunPoolerChaosOptions {
  readonly seed: number;
  /** A migrated database on the test server (direct); the workers reach it through PgBouncer. */
  readonly databaseUrl: string;
  /** true: the workers LISTEN on databaseUrl directly (listenUrl); false: none, they poll. */
  readonly listen: boolean;
  readonly log: (line: string) => void;
  readonly keepRunDir?: boolean;
}

/** The warning a worker logs once when it polls instead of LISTENing (open-configured-database.ts). */
export const pollingWarning = "notifications do not reach this process";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runPoolerChaos(
  profile: PoolerChaosProfile,
  options: RunPoolerChaosOptions,
): Promise<PoolerChaosSummary> {
  const { log, seed } = options;
  const startedAt = Date.now();
  const random = new SeededRandom(seed);
  const runDir = await mkdtemp(join(tmpdir(), "durably-pooler-chaos-"));
  await mkdir(join(runDir, "logs"));
  await mkdir(join(runDir, "effects"));
  log(`pooler chaos (${options.listen ? "listenUrl" : "polling"}): seed ${seed}, run folder ${runDir}`);
  let bouncer: PgBouncer | undefined;
  let fleet: WorkerFleet | undefined;
  let stopPolling = () => undefined as void;
  let ok = false;
  // Direct, not through PgBouncer: the harness's view must not suffer the faults it injects.
  const admin = postgres(options.databaseUrl, { max: 2, onnotice: () => undefined });
  try {
    await installCommitStamps(admin, "dbos");
    bouncer = await startPgBouncer({ upstreamUrl: options.databaseUrl, poolSize: profile.bouncerPoolSize });
    const pooledUrl = bouncer.url(options.databaseUrl);
    const handlers: { dispatcher?: WorkloadDispatcher } = {};
    fleet = new WorkerFleet({
      size: profile.workers,
      databaseUrl: () => pooledUrl,
      transactionPooler: true,
      ...(options.listen ? { listenUrl: () => options.databaseUrl } : {}),
      runDir,
      poolSize: profile.poolSize,
      pollIntervalMs: profile.pollIntervalMs,
      leaseRenewMs: profile.leaseRenewMs,
      leaseLapseMs: profile.leaseLapseMs,
      clockSkewS: [],
      maxLifetimeMs: profile.warmupMs + profile.faultWindowMs + profile.settleMs + 240_000,
      onMessage: (slot, message) => handlers.dispatcher?.onMessage(slot, message),
      onOrphaned: (ids) => handlers.dispatcher?.onOrphaned(ids),
    });
    const dispatcher = new WorkloadDispatcher(profile, random, fleet);
    handlers.dispatcher = dispatcher;
    fleet.startAll();
    if (!(await fleet.waitAllReady(120_000))) throw new Error("the workers did not all launch within 120 s");
    log(`${profile.workers} workers launched through PgBouncer on port ${bouncer.port}`);

    const counts = new Map<string, number>();
    const stopStatusPolling = pollStatuses(admin, counts);
    const progress = setInterval(() => {
      const statuses = [...counts].map(([status, n]) => `${status} ${n}`).join(", ");
      log(`asked ${dispatcher.inputs.size}, confirmed ${dispatcher.confirmed.size}; ${statuses}`);
    }, 10_000);
    stopPolling = () => {
      stopStatusPolling();
      clearInterval(progress);
    };
    const succeeded = () => counts.get("SUCCESS") ?? 0;
    const hardDeadline = Date.now() + profile.warmupMs + profile.faultWindowMs + profile.settleMs + 60_000;
    const dispatching = dispatcher.run(hardDeadline, succeeded);

    await pause(profile.warmupMs);
    const faultsFrom = Date.now();
    const schedule = [
      ...Array.from({ length: profile.workerKills }, () => "worker-sigkill" as const),
      ...Array.from({ length: profile.bouncerRestarts }, () => "pgbouncer-restart" as const),
    ]
      .map((kind) => ({ kind, atMs: Math.floor(random.between(0, profile.faultWindowMs)) }))
      .sort((a, b) => a.atMs - b.atMs);
    const faults: PoolerFault[] = [];
    for (const { kind, atMs } of schedule) {
      await pause(Math.max(0, faultsFrom + atMs - Date.now()));
      const fault: PoolerFault = { kind, at: Date.now(), detail: {} };
      faults.push(fault);
      try {
        if (kind === "worker-sigkill") await killWorker(fleet, random, profile, fault);
        else {
          const downMs = Math.round(random.between(...profile.bouncerDownMs));
          const [row] = await admin`select count(*)::int as n from dbos.workflow_status where status = 'PENDING'`;
          Object.assign(fault.detail, { downMs, pending: row?.n ?? 0 });
          await bouncer.restart({ downMs });
        }
      } catch (error) {
        fault.error = error instanceof Error ? error.message : String(error);
        log(`fault ${kind} failed: ${fault.error}`);
      }
      log(`${kind} ${JSON.stringify(fault.detail)}`);
    }
    const faultsUntil = Date.now();
    for (const slot of fleet.slots) if (slot.child === undefined) fleet.spawn(slot);
    log(`faults over after ${Math.round((faultsUntil - faultsFrom) / 1000)} s; settling`);

    const confirmed = await dispatching;
    let settledAt: number | null = null;
    while (Date.now() < faultsUntil + profile.settleMs) {
      await refreshStatuses(admin, counts);
      if (confirmed && succeeded() >= dispatcher.inputs.size) {
        settledAt = Date.now();
        break;
      }
      await pause(250);
    }
    stopPolling();
    log(settledAt === null ? "not settled" : `settled ${Math.round((settledAt - faultsUntil) / 1000)} s after`);

    await fleet.stopAll(25_000);
    const history = await readRunHistory(admin, "dbos", join(runDir, "effects"), "stamped");
    const { invariants, duplicates } = checkInvariants({
      history,
      expected: dispatcher.inputs,
      handleResults: dispatcher.results,
      handleErrors: dispatcher.resultErrors,
    });
    const all = [...invariants, checkWorkerExits(fleet.exits)];
    if (!confirmed)
      all.push({ id: "I1b", name: "every start request was confirmed", held: false, violations: 1, samples: [] });
    const violations = all
      .filter((i) => !i.held)
      .map((i) => `${i.id} (${i.name}): ${i.violations} violation(s), e.g. ${JSON.stringify(i.samples.slice(0, 3))}`);
    ok = violations.length === 0;
    const workerLogs = summarizeWorkerLogs(join(runDir, "logs"));
    await writeFile(join(runDir, "faults.json"), JSON.stringify({ seed, faults, exits: fleet.exits }, null, 1));
    return {
      seed,
      listen: options.listen,
      ok,
      violations,
      seconds: {
        total: Math.round((Date.now() - startedAt) / 1000),
        faultWindow: Math.round((faultsUntil - faultsFrom) / 1000),
        settle: settledAt === null ? null : Math.round((settledAt - faultsUntil) / 100) / 10,
      },
      workload: {
        workflows: dispatcher.inputs.size,
        succeeded: succeeded(),
        startResends: dispatcher.resends,
        startFailures: dispatcher.startFailures,
      },
      faults,
      killsWithWorkflowsRunning: faults.filter((f) => f.kind === "worker-sigkill" && Number(f.detail.running) > 0)
        .length,
      restartsWithWorkflowsPending: faults.filter(
        (f) => f.kind === "pgbouncer-restart" && f.error === undefined && Number(f.detail.pending) > 0,
      ).length,
      pollingWarnings: Object.entries(workerLogs.warnings)
        .filter(([message]) => message.includes(pollingWarning))
        .reduce((n, [, count]) => n + count, 0),
      duplicates,
      workerLogs,
      runDir: ok && !options.keepRunDir ? null : runDir,
    };
  } finally {
    stopPolling();
    fleet?.killAll();
    await bouncer?.stop();
    await admin.end({ timeout: 2 }).catch(() => undefined);
    if (ok && !options.keepRunDir) await rm(runDir, { recursive: true, force: true });
    else log(`run files kept in ${runDir}`);
  }
}

/** SIGKILLs the worker running the most workflows; it comes back after U(0, 1 s), maybe under a new executor ID. */
async function killWorker(
  fleet: WorkerFleet,
  random: SeededRandom,
  profile: PoolerChaosProfile,
  fault: PoolerFault,
): Promise<void> {
  const alive = fleet.slots.filter((s) => s.child !== undefined);
  if (alive.length === 0) throw new Error("no worker process to kill");
  const most = Math.max(...alive.map((s) => s.running.size));
  const slot: Slot = random.pick(alive.filter((s) => s.running.size === most));
  const newExecutorID = random.chance(profile.newExecutorShare);
  Object.assign(fault.detail, { slot: slot.index, executorID: slot.executorID, running: most, newExecutorID });
  await fleet.kill(slot, { newExecutorID });
  await pause(random.between(0, 1_000));
  fleet.spawn(slot);
}

/** Keeps `into` up to date with the count of workflows per status, every second, until stopped. */
function pollStatuses(admin: Sql, into: Map<string, number>): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const poll = async () => {
    await refreshStatuses(admin, into).catch(() => undefined);
    if (!stopped) timer = setTimeout(poll, 1_000);
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

async function refreshStatuses(admin: Sql, into: Map<string, number>): Promise<void> {
  const rows = await admin`select status, count(*)::int as n from dbos.workflow_status group by status`;
  into.clear();
  for (const r of rows) into.set(r.status, r.n);
}
