// How long the workflows a SIGKILL interrupted took to make progress again, from the effect logs.
import type { KillRecord } from "./fault-injector.js";
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
  const at = (q: number) => (sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!));
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), max: sorted.length === 0 ? null : Math.round(sorted[sorted.length - 1]!) };
}

export interface RecoveryFigures {
  /** Per kill that interrupted unfinished workflows: from SIGKILL to the first event of any of them in another process. */
  readonly toFirstProgressMs: Distribution;
  /** Per kill: until every interrupted workflow had made progress. */
  readonly toAllProgressMs: Distribution;
  /** The same, split by whether the worker came back under its own executor ID or a new one. */
  readonly sameExecutorToAllMs: Distribution;
  readonly newExecutorToAllMs: Distribution;
  /** Interrupted workflows that never made progress after the kill (should be 0). */
  readonly neverResumed: number;
}

/**
 * A workflow is interrupted by a kill when the killed process logged events for it and it had not
 * finished (completed_at) by the time of the kill.
 */
export function recoveryTimes(history: RunHistory, kills: readonly KillRecord[], processes: readonly WorkerProcess[]): RecoveryFigures {
  const fileOfPid = new Map(processes.map((p) => [p.pid, history.files.indexOf(p.effectsFile)]));
  const workflowsOfFile = new Map<number, Set<string>>();
  for (const [id, effects] of history.effects) {
    for (const { file } of effects.times) {
      let set = workflowsOfFile.get(file);
      if (set === undefined) workflowsOfFile.set(file, (set = new Set()));
      set.add(id);
    }
  }
  const first: number[] = [];
  const all: number[] = [];
  const same: number[] = [];
  const fresh: number[] = [];
  let neverResumed = 0;
  for (const kill of kills) {
    const file = kill.pid === undefined ? -1 : (fileOfPid.get(kill.pid) ?? -1);
    const touched = workflowsOfFile.get(file);
    if (file < 0 || touched === undefined) continue;
    const delays: number[] = [];
    for (const id of touched) {
      const completedAt = history.statuses.get(id)?.completedAt ?? null;
      if (completedAt !== null && completedAt <= kill.at) continue;
      let next = Infinity;
      for (const e of history.effects.get(id)!.times) if (e.file !== file && e.t > kill.at && e.t < next) next = e.t;
      if (next === Infinity) neverResumed++;
      else delays.push(next - kill.at);
    }
    if (delays.length === 0) continue;
    first.push(Math.min(...delays));
    const slowest = Math.max(...delays);
    all.push(slowest);
    (kill.newExecutorID ? fresh : same).push(slowest);
  }
  return {
    toFirstProgressMs: distribution(first),
    toAllProgressMs: distribution(all),
    sameExecutorToAllMs: distribution(same),
    newExecutorToAllMs: distribution(fresh),
    neverResumed,
  };
}
