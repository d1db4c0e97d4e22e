// Group commit for step checkpoints: checkpoints that arrive while a write is in flight go out
// together in the next statement, so many workflows share one round trip and one commit. A
// step's promise resolves only once its own row is durable (or known to be refused).
import { insertCheckpoints, type NewCheckpoint, type SystemDatabase } from "@durably/sysdb";
import { withDatabaseRetry } from "./database-retry.js";
import type { Logger } from "./logger.js";

interface Pending {
  readonly row: NewCheckpoint;
  resolve(written: boolean): void;
  reject(error: unknown): void;
}

export class CheckpointWriter {
  readonly #sysdb: SystemDatabase;
  readonly #logger: Logger;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  #queue: Pending[] = [];
  #inFlight = 0;

  readonly #signal: AbortSignal;

  constructor(sysdb: SystemDatabase, logger: Logger, signal: AbortSignal, options: { maxBatch?: number; maxInFlight?: number } = {}) {
    this.#signal = signal;
    this.#sysdb = sysdb;
    this.#logger = logger;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxInFlight = options.maxInFlight ?? 4;
  }

  /** Writes one checkpoint; resolves true if written, false if refused (not PENDING/owned, or step taken). */
  write(row: NewCheckpoint): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ row, resolve, reject });
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#maxInFlight) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#inFlight++;
      void this.#flush(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #flush(batch: Pending[]): Promise<void> {
    try {
      // Safe to retry: a row written by an attempt whose reply was lost is then "refused",
      // and the caller finds its own identical row when it asks why.
      const written = await withDatabaseRetry("write step checkpoints", () =>
        insertCheckpoints(this.#sysdb, batch.map((p) => p.row)), { logger: this.#logger, signal: this.#signal });
      for (const p of batch) p.resolve(written.has(`${p.row.workflowID}:${p.row.stepID}`));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
