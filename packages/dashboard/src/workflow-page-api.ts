// The API of one workflow's page: its status and values, its steps without their payloads (a page of
// 1,000 steps must not read and decode 1,000 outputs it does not show), children, events, messages and
// stream tail; and one step's output or error, read when the UI opens that step.
import { listWorkflows, type DBOSContext, type WorkflowStatus } from "@durably/core";
import { decodeError, decodeValue, extensionHost } from "@durably/core/extension";
import { DurablyError } from "@durably/sysdb";
import {
  listCheckpoints,
  listStreamTail,
  listWorkflowEvents,
  listWorkflowMessages,
  loadCheckpointPayload,
  streamClosedMarker,
} from "@durably/sysdb/queries";
import type { ApiResult } from "./dashboard-api.js";
import { toDisplayValue } from "./display-value.js";

/** A workflow's status as the UI shows it; `redact` leaves out input, output and error. */
export function statusView(w: WorkflowStatus, redact: boolean) {
  const time = (d: Date | undefined) => (d === undefined ? null : d.getTime());
  return {
    workflowID: w.workflowID,
    status: w.status,
    name: w.name,
    queueName: w.queueName,
    executorID: w.executorID,
    applicationVersion: w.applicationVersion,
    applicationName: w.applicationName,
    attempts: w.attempts,
    createdAt: w.createdAt.getTime(),
    updatedAt: w.updatedAt.getTime(),
    startedAt: time(w.startedAt),
    completedAt: time(w.completedAt),
    deadline: time(w.deadline),
    parentWorkflowID: w.parentWorkflowID ?? null,
    forkedFrom: w.forkedFrom ?? null,
    ...(redact
      ? {}
      : {
          input: "input" in w ? toDisplayValue(w.input) : null,
          output: "output" in w ? toDisplayValue(w.output) : null,
          error: "error" in w ? toDisplayValue(w.error) : null,
        }),
  };
}

/** `GET workflows/:id`: everything on the page but the steps' payloads. */
export async function workflowPage(client: DBOSContext, id: string, redact: boolean): Promise<ApiResult> {
  const [found] = await listWorkflows(client, { workflowIDs: [id], loadPayloads: !redact, ownApplicationOnly: false });
  if (found === undefined) return { status: 404, body: { error: `There is no workflow ${id}.` } };
  const host = extensionHost(client);
  const sysdb = host.sysdb;
  const [steps, children, events, messages, streams] = await Promise.all([
    listCheckpoints(sysdb, id, { payloads: false }),
    listWorkflows(client, { parentWorkflowID: id, limit: 500, ownApplicationOnly: false }),
    listWorkflowEvents(sysdb, id, 200),
    listWorkflowMessages(sysdb, id, 100),
    listStreamTail(sysdb, id, 200),
  ]);
  // A value that does not decode (another SDK's format) still shows, as its stored text.
  const value = (text: string, format: string | null, where: string) => {
    if (redact) return undefined;
    try {
      return toDisplayValue(decodeValue(text, format, host.serializer, where));
    } catch {
      return `[undecodable] ${text}`;
    }
  };
  return {
    status: 200,
    body: {
      workflow: statusView(found, redact),
      steps: steps.map((s) => ({
        stepID: s.stepID,
        name: s.name,
        childWorkflowID: s.childWorkflowID,
        startedAt: s.startedAt,
        completedAt: s.completedAt,
        failed: s.failed,
      })),
      children: children.map((c) => statusView(c, true)),
      events: events.map((e) => ({ key: e.key, value: value(e.value, e.serialization, `event ${e.key}`) })),
      messages: messages.map((m) => ({
        topic: m.topic,
        createdAt: m.createdAt,
        consumed: m.consumed,
        value: value(m.message, m.serialization, "message"),
      })),
      streams: streams.reverse().map((e) => ({
        key: e.key,
        offset: e.offset,
        closed: e.value === streamClosedMarker,
        value: e.value === streamClosedMarker ? undefined : value(e.value, e.serialization, `stream ${e.key}`),
      })),
    },
  };
}

/** `GET workflows/:id/steps/:stepID`: that step's output, or its error when it failed. */
export async function stepValue(client: DBOSContext, id: string, step: string, redact: boolean): Promise<ApiResult> {
  if (redact) return { status: 403, body: { error: "This dashboard is redacted: it shows no step values." } };
  const stepID = Number(step);
  if (!/^\d+$/.test(step) || !Number.isSafeInteger(stepID)) {
    throw new DurablyError("INVALID_ARGUMENT", `The step ID must be a whole number, not ${JSON.stringify(step)}.`);
  }
  const host = extensionHost(client);
  const row = await loadCheckpointPayload(host.sysdb, id, stepID);
  if (row === undefined) return { status: 404, body: { error: `Workflow ${id} has no step ${stepID}.` } };
  const failed = row.error !== null;
  const where = `${failed ? "error" : "output"} of step ${stepID}`;
  let value: unknown;
  try {
    const decoded = failed
      ? decodeError(row.error, row.serialization, host.serializer, where)
      : row.output === null
        ? undefined
        : decodeValue(row.output, row.serialization, host.serializer, where);
    value = decoded === undefined ? null : toDisplayValue(decoded);
  } catch {
    value = `[undecodable] ${failed ? row.error : row.output}`;
  }
  return { status: 200, body: { stepID, failed, value } };
}
