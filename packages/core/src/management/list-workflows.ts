// listWorkflows: find workflows by status, name, time and lineage, for tools and dashboards.
import { checkOptions, maxInt4 } from "@durably/sysdb";
import { listWorkflows as listWorkflowRecords, workflowStatusNames, type WorkflowFilter } from "@durably/sysdb/queries";
import type { DBOSContext } from "../dbos-context.js";
import { toWorkflowStatus, type WorkflowStatus } from "../workflow-status.js";
import { checkContext } from "../check-context.js";

export interface ListWorkflowsOptions
  extends Omit<WorkflowFilter, "applicationName" | "createdAfter" | "createdBefore"> {
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  /**
   * Only this application's (and unclaimed) workflows. Default true (a client without appName sees all); false lists
   * every application's.
   */
  readonly ownApplicationOnly?: boolean;
}

const listWorkflowsRules = {
  workflowIDs: { type: "array", items: { type: "string" } },
  workflowIDPrefix: { type: "string" },
  status: { type: "array", items: { type: "string", enum: workflowStatusNames } },
  name: { type: "string" },
  applicationVersion: { type: "string" },
  executorIDs: { type: "array", items: { type: "string" } },
  queueName: { type: "string" },
  parentWorkflowID: { type: "string" },
  forkedFrom: { type: "string" },
  createdAfter: { type: "date" },
  createdBefore: { type: "date" },
  limit: { type: "number", integer: true, min: 0, max: maxInt4 },
  offset: { type: "number", integer: true, min: 0 },
  sortDesc: { type: "boolean" },
  loadPayloads: { type: "boolean" },
  ownApplicationOnly: { type: "boolean" },
} as const;

/**
 * Lists workflows matching every given filter, oldest first (or newest with `sortDesc`).
 *
 * @example
 * const failed = await listWorkflows(dbos, { status: ["ERROR"], limit: 20, sortDesc: true });
 */
export async function listWorkflows(ctx: DBOSContext, options: ListWorkflowsOptions = {}): Promise<WorkflowStatus[]> {
  checkContext("listWorkflows", ctx);
  checkOptions("listWorkflows", options, listWorkflowsRules);
  const runtime = ctx.runtime;
  runtime.assertRunning("list workflows");
  const { createdAfter, createdBefore, ownApplicationOnly, ...filter } = options;
  const records = await listWorkflowRecords(runtime.sysdb, {
    ...filter,
    ...(createdAfter === undefined ? {} : { createdAfter: createdAfter.getTime() }),
    ...(createdBefore === undefined ? {} : { createdBefore: createdBefore.getTime() }),
    ...(ownApplicationOnly === false || runtime.applicationScope === undefined
      ? {}
      : { applicationName: runtime.applicationScope }),
  });
  return records.map((r) => toWorkflowStatus(r, runtime.config.serializer));
}
