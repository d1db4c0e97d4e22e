// recoverPendingWorkflows: take over the unfinished workflows of executors that are gone.
import { DurablyError } from "@durably/sysdb";
import { requeueWorkflowsOfExecutors } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { checkContext } from "../check-context.js";

/**
 * Re-enqueues the PENDING workflows of the given executors (for example machines that were lost
 * and will not come back with the same executor ID), so live executors of the same application
 * version resume them from their checkpoints. Returns the IDs re-enqueued. Only do this for
 * executors that are really gone: a live one would be fenced off and stop at its next step.
 *
 * @example
 * await recoverPendingWorkflows(dbos, ["worker-7"]);
 */
export async function recoverPendingWorkflows(ctx: DBOSContext, executorIDs: readonly string[]): Promise<string[]> {
  checkContext("recoverPendingWorkflows", ctx);
  const runtime = ctx.runtime;
  runtime.assertRunning("recover workflows");
  if (!Array.isArray(executorIDs) || executorIDs.some((id) => typeof id !== "string" || id === "")) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "recoverPendingWorkflows needs an array of executor IDs (non-empty strings).",
    );
  }
  if (ctx.inStep || ctx.run !== undefined) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "recoverPendingWorkflows is an operator's call: use it outside workflows.",
    );
  }
  return requeueWorkflowsOfExecutors(runtime.sysdb, executorIDs, runtime.config.appName, runtime.now());
}
