// What the fleet tests and their worker processes say to each other over the IPC channel.
import type { ChaosInput } from "../../chaos/support/result-chain.js";

/** The worker's settings, passed as JSON in its FLEET_WORKER environment variable. */
export interface FleetWorkerConfig {
  readonly databaseUrl: string;
  /** Omitted: the default executor ID ("local"), which many processes may share. */
  readonly executorID?: string;
  readonly effectsPath: string;
  readonly leaseRenewMs: number;
  readonly leaseLapseMs: number;
  /** A queue this worker serves (and may enqueue on), from launch or from the test's serve-queue message. */
  readonly queue?: { readonly name: string; readonly concurrency: number; readonly serveAtLaunch: boolean };
}

export type TestMessage =
  /** Run (or, with `queue`, enqueue) these workflows here; `gated`: ones whose echo someone else sends. */
  | { type: "start"; workflows: Array<{ id: string; input: ChaosInput }>; queue?: string; gated?: boolean }
  /** Report the IDs of the workflows this process is running now. */
  | { type: "active" }
  /** Start serving the configured queue (registerQueue after launch). */
  | { type: "serve-queue" }
  /** Open the gate of gated workflows: send each its step 0 output on the echo topic. */
  | { type: "send"; messages: Array<{ to: string; message: string }> }
  | { type: "shutdown"; drainMs: number };

export type WorkerMessage =
  | { type: "launched"; ms: number }
  | { type: "started"; id: string }
  | { type: "start-failed"; id: string; error: string }
  | { type: "active"; ids: string[] }
  | { type: "serving" }
  | { type: "sent"; error?: string }
  /** Every info, warn and error line of durably's logger, as it is written. */
  | { type: "log"; t: number; level: string; msg: string; fields: Record<string, unknown> }
  /** shutdown() returned at `at` (Date.now()). */
  | { type: "shut-down"; at: number };
