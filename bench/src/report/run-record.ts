// One worker run as the parent records it: the unit of the results JSON.

export interface RunRecord {
  /** 1-based, counting warm-up rounds. */
  readonly round: number;
  readonly warmup: boolean;
  readonly library: "durably" | "dbos" | "postgres";
  /** physical-limit, sequential, parallel, long-workflow, statements, recovery, launch-cold, launch-warm. */
  readonly scenario: string;
  readonly ok: boolean;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly error?: string;
  /** Wall time of the worker process (or processes, for recovery), startup included. */
  readonly elapsedMs: number;
}
