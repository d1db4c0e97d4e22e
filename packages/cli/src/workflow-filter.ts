// Turning the filter flags shared by `workflow list|cancel|resume` into listWorkflows options.
import type { ListWorkflowsOptions, WorkflowStatusName } from "@durably/core";
import { workflowStatusNames } from "@durably/sysdb/queries";
import { usage } from "./cli-failure.js";
import { parseCount } from "./parse-count.js";
import { parseDuration } from "./parse-duration.js";

export interface FilterFlags {
  readonly status?: string[];
  readonly name?: string;
  readonly queue?: string;
  readonly appVersion?: string;
  readonly prefix?: string;
  readonly executor?: string[];
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly limit?: string;
  readonly offset?: string;
  readonly asc?: boolean;
  readonly allApps?: boolean;
}

export function toListOptions(flags: FilterFlags, loadPayloads: boolean): ListWorkflowsOptions {
  const status = flags.status?.flatMap((s) => s.split(",")).map((s) => s.trim().toUpperCase());
  for (const s of status ?? []) {
    if (!workflowStatusNames.includes(s as WorkflowStatusName))
      throw usage(`Unknown status ${s}: use one of ${workflowStatusNames.join(", ")}.`);
  }
  return {
    ...(status === undefined ? {} : { status: status as WorkflowStatusName[] }),
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags.queue === undefined ? {} : { queueName: flags.queue }),
    ...(flags.appVersion === undefined ? {} : { applicationVersion: flags.appVersion }),
    ...(flags.prefix === undefined ? {} : { workflowIDPrefix: flags.prefix }),
    ...(flags.executor === undefined ? {} : { executorIDs: flags.executor }),
    ...(flags.createdAfter === undefined ? {} : { createdAfter: toTime(flags.createdAfter, "--created-after") }),
    ...(flags.createdBefore === undefined ? {} : { createdBefore: toTime(flags.createdBefore, "--created-before") }),
    limit: parseCount(flags.limit ?? "50", "--limit"),
    ...(flags.offset === undefined ? {} : { offset: parseCount(flags.offset, "--offset") }),
    sortDesc: flags.asc !== true,
    ownApplicationOnly: flags.allApps !== true,
    loadPayloads,
  };
}

/** An ISO time, or a duration meaning "that long ago" (e.g. 2h). */
function toTime(text: string, flag: string): Date {
  if (/^\d+(\.\d+)?(ms|s|m|h|d|w)$/.test(text)) return new Date(Date.now() - parseDuration(text, flag));
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw usage(
      `${flag} takes an ISO time (2026-11-21T10:00:00Z) or a duration ago (2h); got ${JSON.stringify(text)}.`,
    );
  return date;
}
