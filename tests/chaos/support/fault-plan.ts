// Which faults a chaos run injects and when: a schedule drawn from the run's seed.
import type { SeededRandom } from "./seeded-random.js";

export const faultKinds = [
  "sigkill",
  "sigkill-in-recovery",
  "sigstop",
  "pg-restart",
  "pg-restart-in-recovery",
  "terminate-sweep",
  "listener-kill",
  "proxy-reset",
  "proxy-blackhole",
  "proxy-delay",
  "proxy-refuse",
  "ambiguous-commit",
] as const;

/**
 * - `sigkill`: SIGKILL a random worker, restart it after U(0, 1 s) with the same executor ID (which
 *   takes over the dead process's lease and workflows at launch) or a new one (then the live workers
 *   adopt them when its lease lapses);
 * - `sigkill-in-recovery`: SIGKILL a worker, restart it, and SIGKILL it again while it launches;
 * - `sigstop`: SIGSTOP a worker past its lease's lapse (the others adopt its workflows), then
 *   SIGCONT it: a zombie that must commit nothing more for them;
 * - `pg-restart`: `pg_ctl -m immediate stop`, down U(0, 2 s), start;
 * - `pg-restart-in-recovery`: SIGKILL a worker and crash Postgres while its successor recovers;
 * - `terminate-sweep`: pg_terminate_backend on every worker session (or one worker's);
 * - `listener-kill`: pg_terminate_backend on the LISTEN sessions only;
 * - `proxy-reset`: TCP resets of every connection of one or all workers;
 * - `proxy-blackhole`: stop forwarding bytes for a while, then heal (deliver) or reset;
 * - `proxy-delay`: add latency to every chunk for a few seconds;
 * - `proxy-refuse`: reset and refuse new connections for a moment;
 * - `ambiguous-commit`: drop the reply of one committed statement of a chosen kind.
 */
export type FaultKind = (typeof faultKinds)[number];

export type FaultCounts = Partial<Record<FaultKind, number>>;

export interface ScheduledFault {
  readonly kind: FaultKind;
  /** Milliseconds after the fault window opens. */
  readonly atMs: number;
}

/** `counts` faults spread at random over `windowMs`, in time order. */
export function scheduleFaults(counts: FaultCounts, windowMs: number, random: SeededRandom): ScheduledFault[] {
  const schedule: ScheduledFault[] = [];
  for (const kind of faultKinds) {
    for (let i = 0; i < (counts[kind] ?? 0); i++)
      schedule.push({ kind, atMs: Math.floor(random.between(0, windowMs)) });
  }
  return schedule.sort((a, b) => a.atMs - b.atMs);
}
