-- durably 0007: the trace context (W3C traceparent and tracestate) of whoever started or enqueued a
-- workflow, written in the start statement when an observer such as @durably/otel gave one, so the
-- run continues the caller's trace in any process, and a recovered run links back to it. Only
-- started workflows that were traced have a row; it goes with its workflow. DBOS neither reads nor
-- writes this table.
CREATE TABLE {{schema}}.durably_trace_contexts (
    workflow_uuid text PRIMARY KEY
        REFERENCES {{schema}}.workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE,
    traceparent text NOT NULL,
    tracestate text
);
