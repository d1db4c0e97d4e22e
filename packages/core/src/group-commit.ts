// Group commit for what running workflows record: step checkpoints and workflow outcomes that
// arrive while a write is in flight go out together in the next statement, so many workflows
// share one round trip and one commit. Each promise resolves only once its own row is durable
// (or known to be refused).
import type { SystemDatabase } from "@durably/sysdb";
import { writeGroupCommit, type NewCheckpoint, type WorkflowOutcome } from "@durably/sysdb/queries";
import { withDatabaseRetry } from "./database-retry.js";
import type { Logger } from "./logger.js";

type Pending =
  | {
      readonly kind: "checkpoint";
      readonly row: NewCheckpoint;
      resolve(written: boolean): void;
      reject(error: unknown): void;
    }
  | {
      readonly kind: "outcome";
      readonly row: WorkflowOutcome;
      resolve(written: boolean): void;
      reject(error: unknown): void;
    };

export class GroupCommit {
  readonly #sysdb: SystemDatabase;
  readonly #logger: Logger;
  readonly #signal: AbortSignal;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #onBatch: ((size: number) => void) | undefined;
  #queue: Pending[] = [];
  #inFlight = 0;

  constructor(
    sysdb: SystemDatabase,
    logger: Logger,
    signal: AbortSignal,
    options: { maxBatch?: number; maxInFlight?: number; onBatch?: (size: number) => void } = {},
  ) {
    this.#sysdb = sysdb;
    this.#logger = logger;
    this.#signal = signal;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxInFlight = options.maxInFlight ?? 4;
    this.#onBatch = options.onBatch;
  }

  /** Writes one checkpoint; resolves true if written, false if refused (not PENDING/owned, or step taken). */
  writeCheckpoint(row: NewCheckpoint): Promise<boolean> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: "checkpoint", row, resolve, reject }));
  }

  /** Records a workflow's outcome; resolves true if recorded, false if the run no longer owns the workflow. */
  recordOutcome(row: WorkflowOutcome): Promise<boolean> {
    return new Promise((resolve, reject) => this.#enqueue({ kind: "outcome", row, resolve, reject }));
  }

  #enqueue(pending: Pending): void {
    this.#queue.push(pending);
    this.#pump();
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#maxInFlight) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#onBatch?.(batch.length);
      this.#inFlight++;
      void this.#flush(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #flush(batch: Pending[]): Promise<void> {
    const checkpoints: NewCheckpoint[] = [];
    const outcomes: WorkflowOutcome[] = [];
    for (const p of batch) {
      if (p.kind === "checkpoint") checkpoints.push(p.row);
      else outcomes.push(p.row);
    }
    try {
      // Safe to retry: a row written by an attempt whose reply was lost is then "refused", and
      // the caller finds its own identical row (or recorded outcome) when it asks why.
      const written = await withDatabaseRetry(
        "record checkpoints and outcomes",
        () => writeGroupCommit(this.#sysdb, checkpoints, outcomes),
        {
          logger: this.#logger,
          signal: this.#signal,
        },
      );
      for (const p of batch) {
        p.resolve(
          p.kind === "checkpoint"
            ? written.checkpoints.has(`${p.row.workflowID}:${p.row.stepID}`)
            : written.outcomes.has(p.row.workflowID),
        );
      }
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
