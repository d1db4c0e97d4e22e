// cancelWorkflows / resumeWorkflows: one statement for many IDs, and what it did to each, so a
// caller (the CLI) can tell "cancelled" from "already finished" and "not found".
import {
  cancelWorkflows as cancelRows,
  resumeWorkflows as resumeRows,
  type WorkflowChangeRecord,
} from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { runDurableOperation } from "../run-durable-operation.js";
import type { WorkflowStatusName } from "../workflow-status.js";
import { checkWorkflowListArguments } from "./management-arguments.js";

/** What a bulk cancel or resume did to one workflow ID. */
export interface WorkflowChange {
  readonly workflowID: string;
  /**
   * `"changed"`: this call cancelled (or resumed) it; `"unchanged"`: its status (`previousStatus`)
   * is one the call leaves alone (e.g. SUCCESS); `"not-found"`: there is no workflow with this ID.
   */
  readonly outcome: "changed" | "unchanged" | "not-found";
  /** Its status just before the call; undefined when not found. */
  readonly previousStatus: WorkflowStatusName | undefined;
}

/**
 * Cancels every listed workflow that has not finished, in one statement, and says what happened
 * to each ID. Unlike cancelWorkflow, an unknown ID is reported, not thrown.
 *
 * @example
 * const changes = await cancelWorkflows(dbos, ["order-42", "order-43"]);
 * for (const c of changes) console.log(c.workflowID, c.outcome, c.previousStatus);
 */
export async function cancelWorkflows(ctx: DBOSContext, workflowIDs: readonly string[]): Promise<WorkflowChange[]> {
  checkWorkflowListArguments("cancelWorkflows", ctx, workflowIDs);
  const runtime = ctx.runtime;
  runtime.assertRunning("cancel workflows");
  return runDurableOperation(ctx, "DBOS.cancelWorkflows", async () => {
    const records = await cancelRows(runtime.sysdb, workflowIDs, runtime.now());
    for (const [id, record] of records) if (record.changed) runtime.active.get(id)?.run.stop("cancelled");
    return toChanges(workflowIDs, records);
  });
}

/**
 * Puts every listed workflow that is not SUCCESS or ERROR back on the internal queue, in one
 * statement, and says what happened to each ID (as resumeWorkflow does for one).
 *
 * @example
 * const changes = await resumeWorkflows(dbos, ["order-42"]);
 */
export async function resumeWorkflows(ctx: DBOSContext, workflowIDs: readonly string[]): Promise<WorkflowChange[]> {
  checkWorkflowListArguments("resumeWorkflows", ctx, workflowIDs);
  const runtime = ctx.runtime;
  runtime.assertRunning("resume workflows");
  return runDurableOperation(ctx, "DBOS.resumeWorkflows", async () =>
    toChanges(workflowIDs, await resumeRows(runtime.sysdb, workflowIDs, runtime.now())),
  );
}

function toChanges(
  workflowIDs: readonly string[],
  records: ReadonlyMap<string, WorkflowChangeRecord>,
): WorkflowChange[] {
  return workflowIDs.map((workflowID) => {
    const record = records.get(workflowID);
    if (record === undefined) return { workflowID, outcome: "not-found", previousStatus: undefined };
    return {
      workflowID,
      outcome: record.changed ? "changed" : "unchanged",
      previousStatus: record.previousStatus as WorkflowStatusName,
    };
  });
}
