// The JSON API behind the UI: reads through the client's management functions and sysdb's
// dashboard queries, acts through core's cancel, resume and fork, the queues' pause and resume and the
// scheduler's actions (never its own SQL).
import {
  cancelWorkflow,
  cancelWorkflows,
  forkWorkflow,
  listApplicationVersions,
  listExecutors,
  resumeWorkflow,
  resumeWorkflows,
  type DBOSContext,
} from "@durably/core";
import { extensionHost } from "@durably/core/extension";
import { listQueues, pauseQueue, resumeQueue } from "@durably/queues";
import {
  backfillSchedule,
  listSchedules,
  nextFireTimes,
  pauseSchedule,
  resumeSchedule,
  triggerSchedule,
} from "@durably/scheduler";
import { DurablyError } from "@durably/sysdb";
import { listWorkflowPage, listWorkflowPageIDs, queueStats, type WorkflowRecord } from "@durably/sysdb/queries";
import type { ResolvedDashboardOptions } from "./dashboard-options.js";
import { toDisplayValue } from "./display-value.js";
import { parseWorkflowFilter } from "./workflow-filter.js";
import { stepValue, workflowPage } from "./workflow-page-api.js";

/** The most workflows one bulk action touches (its dry run says when a filter matches more). */
export const bulkLimit = 10_000;
const pageLimit = 100;

export type ApiResult = { readonly status: number; readonly body: unknown };

const ok = (body: unknown): ApiResult => ({ status: 200, body });

function summary(r: WorkflowRecord) {
  return {
    workflowID: r.workflowID,
    status: r.status,
    name: r.name,
    queueName: r.queueName,
    executorID: r.executorID,
    applicationVersion: r.applicationVersion,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    completedAt: r.completedAt,
    updatedAt: r.updatedAt,
    attempts: r.recoveryAttempts,
    parentWorkflowID: r.parentWorkflowID,
    forkedFrom: r.forkedFrom,
  };
}

/** Reads a JSON object body (at most 1 MB). */
export async function readBody(req: AsyncIterable<Buffer>): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 1_000_000) throw new DurablyError("INVALID_ARGUMENT", "The request body is over 1 MB.");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return {};
  const body: unknown = JSON.parse(text);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new DurablyError("INVALID_ARGUMENT", "The request body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

function cursorOf(text: string | null) {
  if (!text) return undefined;
  const at = text.indexOf(":");
  const createdAt = Number(text.slice(0, at));
  if (at < 0 || !Number.isSafeInteger(createdAt)) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "cursor is not one this dashboard handed out: start from the first page.",
    );
  }
  return { createdAt, workflowID: text.slice(at + 1) };
}

/** Answers one API request (`path` is what follows `api/`). */
export async function handleApi(
  client: DBOSContext,
  options: ResolvedDashboardOptions,
  method: string,
  path: string,
  url: URL,
  req: AsyncIterable<Buffer>,
): Promise<ApiResult> {
  const host = extensionHost(client);
  const scope = host.applicationScope;
  const parts = path.split("/").map(decodeURIComponent);
  if (method === "GET") {
    switch (parts[0]) {
      case "config":
        return ok({ readOnly: options.readOnly, redact: options.redact, appName: scope ?? null });
      case "workflows":
        if (parts.length === 1) {
          const filter = { ...parseWorkflowFilter(url.searchParams), ...(scope ? { applicationName: scope } : {}) };
          const started = performance.now();
          const rows = await listWorkflowPage(
            host.sysdb,
            filter,
            pageLimit + 1,
            cursorOf(url.searchParams.get("cursor")),
          );
          const page = rows.slice(0, pageLimit);
          const last = page.at(-1);
          return ok({
            workflows: page.map(summary),
            nextCursor: rows.length > pageLimit && last ? `${last.createdAt}:${last.workflowID}` : null,
            serverMs: Math.round(performance.now() - started),
          });
        }
        if (parts.length === 2) return await workflowPage(client, parts[1]!, options.redact);
        if (parts.length === 4 && parts[2] === "steps")
          return await stepValue(client, parts[1]!, parts[3]!, options.redact);
        break;
      case "queues": {
        const [queues, stats] = await Promise.all([
          listQueues(client),
          queueStats(host.sysdb, Date.now() - 3_600_000, scope),
        ]);
        return ok({ queues, stats });
      }
      case "schedules": {
        const now = new Date(host.now());
        const schedules = scope === undefined ? [] : await listSchedules(client);
        return ok({
          schedules: schedules.map(({ context, ...s }) => ({
            ...s,
            // The context is the user's data: redact keeps it on the server like inputs.
            ...(options.redact ? {} : { context: toDisplayValue(context) }),
            nextFireAt: nextFireTimes(s, 3, now).map((d) => d.toISOString()),
          })),
          needsApp: scope === undefined,
        });
      }
      case "executors":
        return ok({ executors: await listExecutors(client, { limit: 500 }) });
      case "versions":
        return ok({ versions: await listApplicationVersions(client) });
    }
    return { status: 404, body: { error: `No API ${path}.` } };
  }
  if (method !== "POST") return { status: 405, body: { error: "Use GET or POST." } };
  if (options.readOnly) return { status: 403, body: { error: "This dashboard is read-only." } };
  const body = await readBody(req);
  if (parts[0] === "workflows" && parts.length === 3) {
    const id = parts[1]!;
    switch (parts[2]) {
      case "cancel":
        await cancelWorkflow(client, id);
        return ok({ workflowID: id });
      case "resume":
        await resumeWorkflow(client, id);
        return ok({ workflowID: id });
      case "fork": {
        const { startStep, applicationVersion, queue } = body;
        const handle = await forkWorkflow(client, id, {
          startStep: startStep as number,
          ...(typeof applicationVersion === "string" && applicationVersion !== "" ? { applicationVersion } : {}),
          ...(typeof queue === "string" && queue !== "" ? { queue } : {}),
        });
        return ok({ workflowID: handle.workflowID });
      }
    }
  }
  if (parts[0] === "bulk" && (parts[1] === "cancel" || parts[1] === "resume")) {
    if (body.dryRun === true) {
      const params = new URLSearchParams((body.filter as Record<string, string> | undefined) ?? {});
      const filter = { ...parseWorkflowFilter(params), ...(scope ? { applicationName: scope } : {}) };
      const ids = await listWorkflowPageIDs(host.sysdb, filter, bulkLimit + 1);
      return ok({ workflowIDs: ids.slice(0, bulkLimit), capped: ids.length > bulkLimit });
    }
    const ids = body.workflowIDs;
    if (!Array.isArray(ids) || ids.length > bulkLimit || ids.some((id) => typeof id !== "string")) {
      throw new DurablyError("INVALID_ARGUMENT", `workflowIDs must be the dry run's list (at most ${bulkLimit} IDs).`);
    }
    const changes = await (parts[1] === "cancel" ? cancelWorkflows : resumeWorkflows)(client, ids as string[]);
    return ok({ changed: changes.filter((c) => c.outcome === "changed").length, total: changes.length });
  }
  if (parts[0] === "queues" && parts.length === 3) {
    const name = parts[1]!;
    switch (parts[2]) {
      case "pause": {
        // An empty reason is no reason; any other non-string is pauseQueue's INVALID_ARGUMENT.
        const reason = body.reason === "" ? undefined : body.reason;
        const changed = await pauseQueue(client, name, reason === undefined ? {} : { reason: reason as string });
        return ok({ name, changed });
      }
      case "resume":
        return ok({ name, changed: await resumeQueue(client, name) });
    }
  }
  if (parts[0] === "schedules" && parts.length === 3) {
    const name = parts[1]!;
    switch (parts[2]) {
      case "pause":
        await pauseSchedule(client, name);
        return ok({ name });
      case "resume":
        await resumeSchedule(client, name);
        return ok({ name });
      case "trigger":
        return ok({ workflowID: (await triggerSchedule(client, name)).workflowID });
      case "backfill": {
        const from = new Date(String(body.from));
        const to = new Date(String(body.to));
        const handles = await backfillSchedule(client, name, from, to);
        return ok({ workflowIDs: handles.map((h) => h.workflowID) });
      }
    }
  }
  return { status: 404, body: { error: `No API ${method} ${path}.` } };
}
