// What run-bench and worker.ts say to each other: the worker's input and its stdout lines.
import type { BenchSizes } from "./bench-options.js";

/** The worker's third argument, as JSON. */
export interface WorkerInput {
  readonly url: string;
  readonly sizes: BenchSizes;
  readonly executorId?: string;
  readonly workflowIDs?: readonly string[];
}

/** Prefix of the one line carrying the result: `BENCH_RESULT {"metrics":{...}}`. */
export const resultPrefix = "BENCH_RESULT ";
/** Printed when a scenario reaches its kill point (the recovery victim). */
export const readyLine = "BENCH_READY";
