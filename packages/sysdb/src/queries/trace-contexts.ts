// The trace context stored with a workflow at its start (workflow_status.durably_traceparent and
// durably_tracestate, migration 0011), read back when the workflow runs in another process or is
// recovered (the claims return it with the row; this read is for a run that came without it); and
// that of a send, for its recv.
import type { Queryable } from "../queryable.js";

/** A W3C trace context as stored: the `traceparent` header and, if any, `tracestate`. */
export interface TraceCarrier {
  readonly traceparent: string;
  readonly tracestate: string | null;
}

/** The trace context stored with `workflowID`, if its start was traced. */
export async function getTraceContext(on: Queryable, workflowID: string): Promise<TraceCarrier | undefined> {
  return await on.db
    .selectFrom("workflow_status")
    .select(["durably_traceparent as traceparent", "durably_tracestate as tracestate"])
    .where("workflow_uuid", "=", workflowID)
    .where("durably_traceparent", "is not", null)
    .$narrowType<{ traceparent: string }>()
    .executeTakeFirst();
}

/** Stores the trace context of a send inside a workflow, before its message (durably_message_trace_contexts). */
export async function putMessageTraceContext(
  on: Queryable,
  m: { readonly messageID: string; readonly senderWorkflowID: string; readonly carrier: TraceCarrier },
): Promise<void> {
  await on.db
    .insertInto("durably_message_trace_contexts")
    .values({
      message_uuid: m.messageID,
      sender_workflow_uuid: m.senderWorkflowID,
      traceparent: m.carrier.traceparent,
      tracestate: m.carrier.tracestate,
    })
    .onConflict((oc) => oc.column("message_uuid").doNothing())
    .execute();
}

/** The trace context of the send whose message the recv at (`workflowID`, `stepID`) consumed, if it was traced. */
export async function getReceivedMessageTraceContext(
  on: Queryable,
  workflowID: string,
  stepID: number,
): Promise<TraceCarrier | undefined> {
  return await on.db
    .selectFrom("notifications as n")
    .innerJoin("durably_message_trace_contexts as t", "t.message_uuid", "n.message_uuid")
    .select(["t.traceparent", "t.tracestate"])
    .where("n.destination_uuid", "=", workflowID)
    .where("n.consumed_by_function_id", "=", stepID)
    .executeTakeFirst();
}
