-- durably 0005: each executor lease records the application versions its process serves (its own
-- and the compatibleVersions of its config), so claims and adoption can tell which versions a live
-- worker runs, and launch can report (or, opted in, upgrade) workflows of versions none serves.
-- DBOS neither reads nor writes this table.
ALTER TABLE {{schema}}.durably_executor_leases ADD COLUMN served_versions text[] NOT NULL DEFAULT '{}';
