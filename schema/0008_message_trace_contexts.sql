-- durably 0008: the trace context of a workflow's send (its DBOS.send step), keyed by the message's
-- ID (a send inside a workflow names its message "<workflow>::<step>"), so the recv that consumes it
-- links its span to the send's. Written by @durably/otel before the message, only when it traces the
-- send; it goes with the sending workflow. DBOS neither reads nor writes this table.
CREATE TABLE {{schema}}.durably_message_trace_contexts (
    message_uuid text PRIMARY KEY,
    sender_workflow_uuid text NOT NULL
        REFERENCES {{schema}}.workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE,
    traceparent text NOT NULL,
    tracestate text
);
