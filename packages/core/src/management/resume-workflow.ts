// resumeWorkflow: run a cancelled, dead-lettered or stuck workflow again from its last checkpoint.
import { resumeWorkflows } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { runDurableOperation } from "../run-durable-operation.js";
import { createWorkflowHandle, type WorkflowHandle } from "../workflow-handle.js";
import { nonexistent } from "./retrieve-workflow.js";
import { checkWorkflowArguments } from "./management-arguments.js";

/**
 * Puts a workflow that is not SUCCESS or ERROR back on the internal queue with a fresh attempt
 * count and timeout clock; an executor of its application version picks it up at once and
 * replays it from its checkpoints.
 *
 * @example
 * const handle = await resumeWorkflow(dbos, "order-42");
 * await handle.getResult();
 */
export async function resumeWorkflow<Output = unknown>(
  ctx: DBOSContext,
  workflowID: string,
): Promise<WorkflowHandle<Output>> {
  checkWorkflowArguments("resumeWorkflow", ctx, workflowID);
  const runtime = ctx.runtime;
  runtime.assertRunning("resume a workflow");
  await runDurableOperation(ctx, "DBOS.resumeWorkflow", async () => {
    const existing = await resumeWorkflows(runtime.sysdb, [workflowID], runtime.now());
    if (!existing.has(workflowID)) throw nonexistent(workflowID);
  });
  return createWorkflowHandle<Output>(ctx, workflowID);
}
