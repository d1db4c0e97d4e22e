// The trace context stored with a workflow at its start (durably_trace_contexts, migration 0007),
// read back when the workflow runs in another process or is recovered.
import type { Queryable } from "../queryable.js";

/** A W3C trace context as stored: the `traceparent` header and, if any, `tracestate`. */
export interface TraceCarrier {
  readonly traceparent: string;
  readonly tracestate: string | null;
}

/** The trace context stored with `workflowID`, if its start was traced. */
export async function getTraceContext(on: Queryable, workflowID: string): Promise<TraceCarrier | undefined> {
  return await on.db
    .selectFrom("durably_trace_contexts")
    .select(["traceparent", "tracestate"])
    .where("workflow_uuid", "=", workflowID)
    .executeTakeFirst();
}
