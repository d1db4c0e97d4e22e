-- durably 0011: a workflow's trace context moves from its own table (0007) into two nullable columns
-- of its workflow_status row. Written by the start statement's insert itself, it costs no second
-- heap tuple, index entry or foreign-key check; the claims that return the row (dequeue, recovery,
-- adoption, resume) return the context in the same round trip. DBOS neither reads nor writes these
-- columns: its clients name the columns they select and insert, and an absent column is null.
-- Rows stored under 0007 move with the migration. The table stays, no longer read: during a rolling
-- deploy the processes of the previous version still write it when they start a traced workflow, and
-- a missing table would fail those starts. A run of theirs picked up by a new process then starts a
-- new trace instead of joining the caller's. Its rows go with their workflows (ON DELETE CASCADE).
ALTER TABLE {{schema}}.workflow_status ADD COLUMN durably_traceparent text;
ALTER TABLE {{schema}}.workflow_status ADD COLUMN durably_tracestate text;
UPDATE {{schema}}.workflow_status AS w
    SET durably_traceparent = t.traceparent, durably_tracestate = t.tracestate
    FROM {{schema}}.durably_trace_contexts AS t
    WHERE t.workflow_uuid = w.workflow_uuid;
