// The worker processes of one fleet test file: each gets an effect log and a log file in the
// file's run directory, and all are killed after each test, so none outlives it or holds a session.
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FleetWorkerProcess } from "./fleet-worker-process.js";
import type { FleetWorkerConfig } from "./fleet-messages.js";

/**
 * Short lease settings, so the tests wait for a lapse of 1.5 s, not the default 10 s. The lapse is
 * 7.5 renewals (3 would do) so that a worker starved of CPU on a loaded test machine is not judged
 * lapsed while it lives.
 */
export const fleetLease = { leaseRenewMs: 200, leaseLapseMs: 1_500 } as const;

/**
 * Each fleet test's bound. They take 10-30 s, most of it starting worker processes, which a
 * loaded 2-core machine can stretch to 20 s per launch.
 */
export const fleetTestTimeoutMs = 150_000;

type LeaseSetting = "leaseRenewMs" | "leaseLapseMs";

export class Fleet {
  /** Holds `effects/` (one effect log per process) and `logs/`. */
  readonly runDir: string;
  readonly #workers: FleetWorkerProcess[] = [];
  #spawned = 0;

  constructor(label: string) {
    this.runDir = mkdtempSync(join(tmpdir(), `durably-fleet-${label}-`));
    mkdirSync(join(this.runDir, "effects"));
    mkdirSync(join(this.runDir, "logs"));
  }

  get effectsDir(): string {
    return join(this.runDir, "effects");
  }

  /** Starts a worker and waits for its launch. */
  async launch(
    name: string,
    config: Omit<FleetWorkerConfig, LeaseSetting | "effectsPath"> & Partial<Pick<FleetWorkerConfig, LeaseSetting>>,
  ): Promise<FleetWorkerProcess> {
    const stamp = `${String(this.#spawned++).padStart(2, "0")}-${name}`;
    const worker = new FleetWorkerProcess(
      name,
      { ...fleetLease, ...config, effectsPath: join(this.effectsDir, `${stamp}.jsonl`) },
      join(this.runDir, "logs", `${stamp}.log`),
    );
    this.#workers.push(worker);
    await worker.launched();
    return worker;
  }

  /** Kills every worker still running (after each test, whatever happened). */
  async dispose(): Promise<void> {
    await Promise.all(this.#workers.splice(0).map((w) => w.dispose()));
  }
}
