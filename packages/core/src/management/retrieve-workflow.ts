// retrieveWorkflow: a handle to any workflow by ID, to await or inspect it.
import { DurablyError } from "@durably/sysdb";
import { getWorkflow } from "@durably/sysdb/queries";
import { withDatabaseRetry } from "../database-retry.js";
import type { DBOSContext } from "../dbos-context.js";
import { createWorkflowHandle, type WorkflowHandle } from "../workflow-handle.js";
import { checkWorkflowArguments } from "./management-arguments.js";

/**
 * Returns a handle to an existing workflow; NONEXISTENT_WORKFLOW if there is none with that ID.
 *
 * @example
 * const result = await (await retrieveWorkflow<string>(dbos, "order-42")).getResult();
 */
export async function retrieveWorkflow<Output = unknown>(
  ctx: DBOSContext,
  workflowID: string,
): Promise<WorkflowHandle<Output>> {
  checkWorkflowArguments("retrieveWorkflow", ctx, workflowID);
  const runtime = ctx.runtime;
  runtime.assertRunning("retrieve a workflow");
  const exists = async () =>
    (await withDatabaseRetry("read a workflow", () => getWorkflow(runtime.sysdb, workflowID), {
      logger: runtime.logger,
      signal: runtime.shutdownSignal,
    })) !== undefined;
  if (!runtime.active.has(workflowID) && !(await exists())) {
    throw nonexistent(workflowID);
  }
  return createWorkflowHandle<Output>(ctx, workflowID);
}

export function nonexistent(workflowID: string): DurablyError {
  return new DurablyError("NONEXISTENT_WORKFLOW", `There is no workflow with ID ${workflowID}.`, { workflowID });
}
