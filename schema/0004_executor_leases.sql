-- durably 0004: every launched process holds a lease on its executor identity, renewed on the
-- database clock, so the live processes of an application adopt the PENDING workflows of one
-- that stopped renewing (killed, paused, cut off), with no call and no control plane.
--
-- A lease's ID prefixes the owner tokens (workflow_status.owner_xid, "<lease_id>.<random>") of
-- every workflow the process runs: that is how a PENDING row names its process. DBOS compares
-- owner_xid for equality only, and its own tokens (UUIDs) have no dot, so DBOS executors' rows
-- belong to no lease and are never adopted. DBOS neither reads nor writes this table.
CREATE TABLE {{schema}}.durably_executor_leases (
    lease_id text PRIMARY KEY,
    executor_id text NOT NULL,
    application_name text NOT NULL,
    application_version text NOT NULL,
    hostname text NOT NULL,
    pid integer NOT NULL,
    renew_ms integer NOT NULL,
    lapse_ms integer NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    renewed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Set when the lease lapsed, was released at shutdown, or was replaced by a new process with
    -- the same explicit executor ID; kept a while so rows of it written late are still adopted.
    ended_at timestamptz,
    ended_reason text CHECK (ended_reason IN ('lapsed', 'released', 'replaced'))
);
CREATE INDEX durably_executor_leases_application ON {{schema}}.durably_executor_leases (application_name);
