-- durably 0009: the age of finished workflows, indexed for retention. garbageCollectWorkflows's
-- olderThanMs batch walks this index from the oldest end, LIMIT batchSize, so each batch reads only
-- the rows it deletes, however large the history (without it, every batch scanned workflow_status).
-- Partial on the finished statuses: running and queued workflows never enter it. The expression is
-- the one the batch compares (completed_at, else updated_at for rows DBOS finished without one).
-- Created in the migration's transaction, so it cannot be CONCURRENTLY: on an existing large table,
-- run the same statement with CREATE INDEX CONCURRENTLY first (README, "Postgres health"); IF NOT
-- EXISTS then makes this a no-op. DBOS 5.3.0 creates no index of this name and never reads it.
CREATE INDEX IF NOT EXISTS durably_workflow_status_finished_at
    ON {{schema}}.workflow_status ((COALESCE(completed_at, updated_at)))
    WHERE status IN ('SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED');
