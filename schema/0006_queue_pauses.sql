-- durably 0006: paused queues. A row here stops every durably worker from dequeuing that queue
-- (by name; queue names are global) until it is deleted; workflows already running finish and
-- enqueues are still accepted. Its own table, not a dbos.queues column, so registering or deleting
-- a queue definition never loses a pause. DBOS neither reads nor writes this table (DBOS workers
-- serving the same queue do not pause).
CREATE TABLE {{schema}}.durably_queue_pauses (
    queue_name text NOT NULL,
    paused_at bigint DEFAULT ((EXTRACT(epoch FROM now()) * 1000.0))::bigint NOT NULL,
    reason text,
    CONSTRAINT durably_queue_pauses_pkey PRIMARY KEY (queue_name)
);
