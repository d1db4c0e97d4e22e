// WorkflowHandle: what runWorkflow and retrieveWorkflow return, to await or inspect a workflow.
import { checkOptions } from "@durably/sysdb";
import { getWorkflow } from "@durably/sysdb/queries";
import type { DBOSContext } from "./dbos-context.js";
import { awaitOutcome } from "./recorded-outcome.js";
import { runDurableOperation } from "./run-durable-operation.js";
import { toWorkflowStatus, type WorkflowStatus } from "./workflow-status.js";

export interface GetResultOptions {
  /** Give up after this long with a TIMEOUT error (the workflow keeps running). Default: wait until it finishes. */
  readonly timeoutMs?: number;
}

export interface WorkflowHandle<Output> {
  readonly workflowID: string;
  /**
   * The workflow's result: its return value, or its error rethrown. A cancelled workflow throws
   * WORKFLOW_CANCELLED; a dead-lettered one DEAD_LETTER. Inside a workflow, the result is
   * checkpointed (step `DBOS.getResult`).
   */
  getResult(options?: GetResultOptions): Promise<Output>;
  /** The workflow's current row, or undefined if it does not exist (yet). */
  getStatus(): Promise<WorkflowStatus | undefined>;
}

/** A handle bound to the context that asked for it (a workflow's context checkpoints results). */
export function createWorkflowHandle<Output>(ctx: DBOSContext, workflowID: string): WorkflowHandle<Output> {
  const runtime = ctx.runtime;
  const wait = async (options: GetResultOptions) => {
    const timeoutMs = options.timeoutMs;
    const outcome = await awaitOutcome(runtime, workflowID, { timeoutMs });
    if (outcome.kind === "error") throw outcome.error;
    return outcome.value as Output;
  };
  return Object.freeze({
    workflowID,
    getResult(options: GetResultOptions = {}) {
      // Checked before the durable step, so a bad option is never recorded as the step's outcome.
      try {
        checkOptions("getResult", options, { timeoutMs: { type: "number", min: 0 } });
      } catch (error) {
        return Promise.reject(error);
      }
      if (ctx.run === undefined) return wait(options);
      return runDurableOperation(ctx, "DBOS.getResult", () => wait(options), { childWorkflowID: workflowID });
    },
    async getStatus() {
      const record = await getWorkflow(runtime.sysdb, workflowID);
      return record === undefined
        ? undefined
        : toWorkflowStatus(
            { ...record, inputs: undefined, output: undefined, error: undefined },
            runtime.config.serializer,
          );
    },
  });
}
