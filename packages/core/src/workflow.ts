// A registered workflow: the function, the name it is stored under, and its recovery limit.
import type { DBOSContext } from "./dbos-context.js";

/** An ordinary async function taking the workflow's context and one input. */
export type WorkflowFunction<Input, Output> = (ctx: DBOSContext, input: Input) => Promise<Output>;

/** What {@link registerWorkflow} returns; pass it to `runWorkflow`. */
export interface Workflow<Input, Output> {
  /** The name stored in the database and used to find the code at recovery. */
  readonly name: string;
  readonly maxRecoveryAttempts: number;
  /** @internal */
  readonly fn: WorkflowFunction<Input, Output>;
  /** @internal Brands the value with the runtime that registered it. */
  readonly registry: object;
}

/** A workflow of unknown types, as the registry holds it. */
// biome-ignore lint/suspicious/noExplicitAny: Workflow is invariant in Input; only any admits every workflow.
export type AnyWorkflow = Workflow<any, any>;
