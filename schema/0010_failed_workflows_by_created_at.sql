-- durably 0010: failed and cancelled workflows by creation time, for listWorkflows' status filter.
-- DBOS's idx_workflow_status_failed leads with status, so Postgres prices its heap reads as random
-- and prefers walking workflow_status_created_at_index backward, filtering, on the belief that
-- failures are spread evenly over time: when the newest thousands of workflows all succeeded, that
-- walk reads past every one of them. This index holds only the failed statuses, newest at its end,
-- so the walk reads the failures alone, whatever succeeded around them.
-- Partial: a workflow enters it only when it fails or is cancelled. Created in the migration's
-- transaction (not CONCURRENTLY): on an existing large table, run the same statement with CREATE
-- INDEX CONCURRENTLY first (README, "History and Postgres health"); IF NOT EXISTS then makes this a
-- no-op. DBOS 5.3.0 creates no index of this name and never reads it.
CREATE INDEX IF NOT EXISTS durably_workflow_status_failed_created_at
    ON {{schema}}.workflow_status (created_at)
    WHERE status IN ('ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED');
