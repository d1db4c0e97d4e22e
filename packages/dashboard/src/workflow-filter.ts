// The list's filter as it travels in the URL (`?status=ERROR,CANCELLED&name=checkout&after=…`), parsed
// strictly: a bad value is a 400 that names it, never a silently wider listing.
import { DurablyError } from "@durably/sysdb";
import { workflowStatusNames, type WorkflowPageFilter, type WorkflowStatusName } from "@durably/sysdb/queries";

/** The query parameters of a filter and the field each sets. */
const textFields = {
  name: "name",
  queue: "queueName",
  version: "applicationVersion",
  executor: "executorID",
  prefix: "workflowIDPrefix",
  parent: "parentWorkflowID",
} as const;

function time(param: string, text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `${param}=${text} is not a time: pass an ISO date or epoch milliseconds.`,
    );
  }
  return ms;
}

/** Reads a filter from `params` (empty values count as absent). */
export function parseWorkflowFilter(params: URLSearchParams): WorkflowPageFilter {
  const filter: Record<string, unknown> = {};
  const status = params.get("status");
  if (status) {
    const list = status.split(",").filter(Boolean);
    const bad = list.find((s) => !(workflowStatusNames as readonly string[]).includes(s));
    if (bad !== undefined) {
      throw new DurablyError(
        "INVALID_ARGUMENT",
        `status=${bad} is not a status: use ${workflowStatusNames.join(", ")}.`,
      );
    }
    filter.status = list as WorkflowStatusName[];
  }
  for (const [param, field] of Object.entries(textFields)) {
    const value = params.get(param);
    if (value) filter[field] = value;
  }
  const after = params.get("after");
  if (after) filter.createdAfter = time("after", after);
  const before = params.get("before");
  if (before) filter.createdBefore = time("before", before);
  return filter as WorkflowPageFilter;
}
