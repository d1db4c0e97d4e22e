// Counts what the workers logged: retried database errors by code, executor-lease events
// (adoptions, lost leases, executor IDs taken over), other warnings by message, and the fatal
// lines, from the JSON-lines logs the workers wrote.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { StopRecord } from "./fault-injector.js";
import type { WorkerProcess } from "./worker-fleet.js";

export interface WorkerLogSummary {
  /** "database call failed; retrying", by error code, then by what was retried. */
  readonly retriedByCode: Record<string, number>;
  readonly retriedByWhat: Record<string, number>;
  /** Every other warning or error, by message (and code). */
  readonly warnings: Record<string, number>;
  readonly launchFailures: number;
  readonly leases: {
    /** Adoption rounds that took something, and what they resumed in place or sent back to a queue. */
    readonly adoptions: number;
    readonly adoptedResumedHere: number;
    readonly adoptedBackToQueue: number;
    /** Processes that found their lease had lapsed (zombies), and the runs they stopped for it. */
    readonly lostLeases: number;
    readonly runsStoppedByLostLease: number;
    /** Launches that ended an earlier process's lease of the same executor ID. */
    readonly executorIDsTakenOver: number;
  };
  readonly fatal: unknown[];
}

/**
 * How many SIGSTOPped workers came back as zombies: they logged, after their SIGCONT, that their
 * lease had lapsed (the others had adopted their workflows meanwhile).
 */
export function countZombies(stops: readonly StopRecord[], processes: readonly WorkerProcess[]): number {
  let zombies = 0;
  for (const stop of stops) {
    const worker = processes.find((p) => p.pid === stop.pid && p.slot === stop.slot);
    if (worker === undefined) continue;
    const lines = readFileSync(worker.logFile, "utf8").split("\n");
    const lost = lines.some((line) => {
      if (!line.includes("executor lease lapsed")) return false;
      // The worker's log times are its own clock: take its shift off.
      const t = (JSON.parse(line) as { t: number }).t - worker.clockSkewMs;
      return t >= stop.at && t <= stop.resumedAt + 30_000;
    });
    if (lost) zombies++;
  }
  return zombies;
}

/**
 * How many stopped workers lived on at least 5 s (2.5 renewals) after SIGCONT, long enough to find
 * their lease lapsed: a worker SIGKILLed right after it resumed never gets to say so.
 */
export function countObservableStops(stops: readonly StopRecord[], processes: readonly WorkerProcess[]): number {
  let observable = 0;
  for (const stop of stops) {
    const worker = processes.find((p) => p.pid === stop.pid && p.slot === stop.slot);
    if (worker === undefined) continue;
    const lines = readFileSync(worker.logFile, "utf8").split("\n");
    const livedOn = lines.some((line) => {
      if (!line.startsWith("{")) return false;
      try {
        return (JSON.parse(line) as { t: number }).t - worker.clockSkewMs >= stop.resumedAt + 5_000;
      } catch {
        return false;
      }
    });
    if (livedOn) observable++;
  }
  return observable;
}

export function summarizeWorkerLogs(logsDir: string): WorkerLogSummary {
  const retriedByCode: Record<string, number> = {};
  const retriedByWhat: Record<string, number> = {};
  const warnings: Record<string, number> = {};
  const fatal: unknown[] = [];
  let launchFailures = 0;
  const leases = {
    adoptions: 0,
    adoptedResumedHere: 0,
    adoptedBackToQueue: 0,
    lostLeases: 0,
    runsStoppedByLostLease: 0,
    executorIDsTakenOver: 0,
  };
  const bump = (into: Record<string, number>, key: string) => (into[key] = (into[key] ?? 0) + 1);
  for (const file of readdirSync(logsDir)) {
    for (const line of readFileSync(join(logsDir, file), "utf8").split("\n")) {
      if (!line.startsWith("{")) {
        if (line.trim() !== "") bump(warnings, `(not JSON) ${line.slice(0, 100)}`);
        continue;
      }
      let entry: {
        level?: string;
        msg?: string;
        what?: string;
        error?: { code?: string; message?: string };
        resumedHere?: number;
        backToTheirQueue?: number;
        stopped?: number;
      };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      const code = entry.error?.code ?? "no code";
      if (entry.level === "fatal") fatal.push({ file, ...entry });
      else if (entry.msg === "database call failed; retrying") {
        bump(retriedByCode, code);
        bump(retriedByWhat, entry.what ?? "?");
      } else if (entry.msg === "launch failed") launchFailures++;
      else if (entry.msg === "adopted workflows of executors whose lease ended") {
        leases.adoptions++;
        leases.adoptedResumedHere += entry.resumedHere ?? 0;
        leases.adoptedBackToQueue += entry.backToTheirQueue ?? 0;
      } else if (entry.msg?.startsWith("executor lease lapsed")) {
        leases.lostLeases++;
        leases.runsStoppedByLostLease += entry.stopped ?? 0;
      } else if (entry.msg === "took over the executor ID from an earlier process") leases.executorIDsTakenOver++;
      else if (entry.level === "warn" || entry.level === "error")
        bump(warnings, `${entry.level}: ${entry.msg} [${code}]`);
    }
  }
  return { retriedByCode, retriedByWhat, warnings, launchFailures, leases, fatal: fatal.slice(0, 10) };
}
