// How long the workflows a SIGKILL or SIGSTOP interrupted took to make progress in another
// process (adopted, or recovered by a successor), from the effect logs.
import type { KillRecord, StopRecord } from "./fault-injector.js";
import type { RunHistory } from "./run-history.js";
import type { WorkerProcess } from "./worker-fleet.js";

export interface Distribution {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly max: number | null;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return {
    count: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    max: sorted.length === 0 ? null : Math.round(sorted[sorted.length - 1]!),
  };
}

export interface RecoveryFigures {
  /**
   * Per kill that interrupted unfinished workflows: from SIGKILL to the first event of any of them in another process.
   */
  readonly toFirstProgressMs: Distribution;
  /** Per kill: until every interrupted workflow had made progress in another process. */
  readonly toAllProgressMs: Distribution;
  /**
   * The same, split by whether the worker came back under its own executor ID (its successor
   * replaces the dead lease at launch) or a new one (the live workers adopt after the lapse).
   */
  readonly sameExecutorToAllMs: Distribution;
  readonly newExecutorToAllMs: Distribution;
  /** Per SIGSTOP: until every workflow the stopped worker held had made progress in another process. */
  readonly afterStopToAllMs: Distribution;
  /** Interrupted workflows that never made progress in another process after a kill (should be 0). */
  readonly neverResumed: number;
  /** Workflows of a stopped worker that went on only in it, after SIGCONT (adoption missed them). */
  readonly keptByStoppedWorker: number;
}

/** A process that stopped running its workflows at `at`: SIGKILLed, or SIGSTOPped. */
interface Interruption {
  readonly pid: number | undefined;
  readonly at: number;
  readonly kind: "same-executor" | "new-executor" | "stop";
}

/**
 * A workflow is interrupted when the process logged events for it before the kill or stop and it
 * had not finished (committed SUCCESS) by then; a stopped worker's later workflows do not count.
 */
export function recoveryTimes(
  history: RunHistory,
  kills: readonly KillRecord[],
  stops: readonly StopRecord[],
  processes: readonly WorkerProcess[],
): RecoveryFigures {
  const fileOfPid = new Map(processes.map((p) => [p.pid, history.files.indexOf(p.effectsFile)]));
  /** Per file, the workflows it logged events for, with the time of the first. */
  const workflowsOfFile = new Map<number, Map<string, number>>();
  for (const [id, effects] of history.effects) {
    for (const { file, t } of effects.times) {
      let firsts = workflowsOfFile.get(file);
      if (firsts === undefined) workflowsOfFile.set(file, (firsts = new Map()));
      firsts.set(id, Math.min(t, firsts.get(id) ?? Infinity));
    }
  }
  const interruptions: Interruption[] = [
    ...kills.map((k) => ({
      pid: k.pid,
      at: k.at,
      kind: k.newExecutorID ? ("new-executor" as const) : ("same-executor" as const),
    })),
    ...stops.map((s) => ({ pid: s.pid, at: s.at, kind: "stop" as const })),
  ];
  const first: number[] = [];
  const all: number[] = [];
  const same: number[] = [];
  const fresh: number[] = [];
  const stopped: number[] = [];
  let neverResumed = 0;
  let keptByStoppedWorker = 0;
  for (const interruption of interruptions) {
    const file = interruption.pid === undefined ? -1 : (fileOfPid.get(interruption.pid) ?? -1);
    const touched = workflowsOfFile.get(file);
    if (file < 0 || touched === undefined) continue;
    const delays: number[] = [];
    for (const [id, firstEvent] of touched) {
      if (firstEvent > interruption.at) continue;
      const completedAt = history.statuses.get(id)?.completedAt ?? null;
      if (completedAt !== null && completedAt <= interruption.at) continue;
      let next = Infinity;
      for (const e of history.effects.get(id)!.times) {
        if (e.file !== file && e.t > interruption.at && e.t < next) next = e.t;
      }
      if (next !== Infinity) delays.push(next - interruption.at);
      else if (interruption.kind === "stop") keptByStoppedWorker++;
      else neverResumed++;
    }
    if (delays.length === 0) continue;
    const slowest = Math.max(...delays);
    if (interruption.kind === "stop") {
      stopped.push(slowest);
      continue;
    }
    first.push(Math.min(...delays));
    all.push(slowest);
    (interruption.kind === "new-executor" ? fresh : same).push(slowest);
  }
  return {
    toFirstProgressMs: distribution(first),
    toAllProgressMs: distribution(all),
    sameExecutorToAllMs: distribution(same),
    newExecutorToAllMs: distribution(fresh),
    afterStopToAllMs: distribution(stopped),
    neverResumed,
    keptByStoppedWorker,
  };
}
