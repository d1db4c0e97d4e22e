// The messages between the chaos harness and its worker processes (Node IPC, JSON).
import type { ChaosInput } from "./result-chain.js";

/** What a worker process is told at start, in the CHAOS_WORKER environment variable. */
export interface WorkerConfig {
  readonly slot: number;
  readonly generation: number;
  readonly executorID: string;
  readonly databaseUrl: string;
  /** Set when databaseUrl goes through a transaction pooler (createDBOSContext's transactionPooler). */
  readonly transactionPooler?: boolean;
  /** A direct URL for LISTEN only (createDBOSContext's listenUrl). */
  readonly listenUrl?: string;
  readonly effectsPath: string;
  readonly poolSize: number;
  readonly pollIntervalMs: number;
  /** The executor lease's settings (createDBOSContext's leaseRenewMs, leaseLapseMs). */
  readonly leaseRenewMs: number;
  readonly leaseLapseMs: number;
  /**
   * How far ahead (negative: behind) libfaketime runs this worker's clock; the effect log
   * subtracts it, so its times are the harness's clock, like Postgres's commit timestamps.
   */
  readonly clockSkewMs: number;
  /** The worker exits by itself after this long, whatever happens to the harness. */
  readonly maxLifetimeMs: number;
}

export type HarnessMessage =
  | { readonly type: "start"; readonly workflows: ReadonlyArray<{ readonly id: string; readonly input: ChaosInput }> }
  | { readonly type: "shutdown" };

export type WorkerMessage =
  /** `now`: the worker's Date.now(), so the harness can check that a skewed clock really is. */
  | { readonly type: "launching"; readonly now: number }
  | { readonly type: "launched"; readonly ms: number }
  | { readonly type: "started"; readonly id: string }
  | { readonly type: "start-failed"; readonly id: string; readonly error: string }
  | { readonly type: "result"; readonly id: string; readonly value: string }
  | { readonly type: "result-error"; readonly id: string; readonly error: string };

/** Exit codes a worker chooses; anything else (or a signal the harness did not send) is a crash. */
export const workerExitCodes = {
  ok: 0,
  unhandled: 70,
  launchFailed: 75,
  harnessGone: 76,
  lifetimeOver: 77,
  shutdownHung: 78,
} as const;
