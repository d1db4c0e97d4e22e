// What a chaos workflow must return: a hash chain over its input and its step outputs, so a step
// re-executed after its checkpoint, whose new output leaked into the workflow, changes the result.
import { createHash } from "node:crypto";

/** The input of one chaos workflow; chosen by the harness, stored by durably. */
export interface ChaosInput {
  /** Number of steps (named s0, s1, ...). */
  readonly steps: number;
  /** Each step's function sleeps a random time in [min, max] ms, so faults land inside steps. */
  readonly stepMs: readonly [number, number];
  /** Runs steps 1 and 2 together (Promise.all), which checkpoints them out of order. */
  readonly parallel: boolean;
  /** A durable sleep of this many ms after step 0 (0: none). */
  readonly sleepMs: number;
  /**
   * After step 0 (and the sleep), send step 0's output to this workflow and receive it, with the
   * recv and the send running together: the send races the receiver for the in-process hand-over.
   */
  readonly echo: boolean;
}

/** The result a workflow with this ID, input and step outputs (in step order) must return. */
export function resultChain(workflowID: string, input: ChaosInput, outputs: readonly string[]): string {
  let hash = createHash("sha256")
    .update(`${workflowID}\n${JSON.stringify(input)}`)
    .digest("hex");
  for (const output of outputs) hash = createHash("sha256").update(`${hash}\n${output}`).digest("hex");
  return hash;
}
