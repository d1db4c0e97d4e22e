// cancelWorkflow: stop a workflow durably; its runner stops at its next step, wherever it runs.
import { cancelWorkflows } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { runDurableOperation } from "../run-durable-operation.js";
import { nonexistent } from "./retrieve-workflow.js";
import { checkWorkflowArguments } from "./management-arguments.js";

/**
 * Cancels a workflow that has not finished (SUCCESS, ERROR and CANCELLED rows are left as they
 * are). Its runner stops at the next step boundary and its signal is aborted. Resume it later
 * with resumeWorkflow.
 *
 * @example
 * await cancelWorkflow(dbos, "order-42");
 */
export async function cancelWorkflow(ctx: DBOSContext, workflowID: string): Promise<void> {
  checkWorkflowArguments("cancelWorkflow", ctx, workflowID);
  const runtime = ctx.runtime;
  runtime.assertRunning("cancel a workflow");
  await runDurableOperation(ctx, "DBOS.cancelWorkflow", async () => {
    const existing = await cancelWorkflows(runtime.sysdb, [workflowID], runtime.now());
    if (!existing.has(workflowID)) throw nonexistent(workflowID);
    runtime.active.get(workflowID)?.run.stop("cancelled");
  });
}
