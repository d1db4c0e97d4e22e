-- durably 0003: every message carries the order it was sent in, and recv takes the oldest first.
--
-- created_at_epoch_ms cannot order messages: sends one after another often share a millisecond,
-- and senders stamp it with their own clocks (DBOS's with the server's), which disagree. A value
-- drawn from a sequence at insert is larger for every send that starts after another committed,
-- whoever sends it: durably, DBOS's clients and SDKs, plain SQL (they all leave the column out).
-- DBOS neither reads nor writes the column; its receivers still order by created_at_epoch_ms.
CREATE SEQUENCE {{schema}}.notifications_durably_send_order_seq AS bigint;
ALTER TABLE {{schema}}.notifications ADD COLUMN durably_send_order bigint;
ALTER SEQUENCE {{schema}}.notifications_durably_send_order_seq OWNED BY {{schema}}.notifications.durably_send_order;

-- Messages waiting at the upgrade keep the order recv gave them before (timestamp, then ID);
-- consumed ones need none, so a long history is not rewritten.
UPDATE {{schema}}.notifications n
SET durably_send_order = waiting.position
FROM (SELECT message_uuid, row_number() OVER (ORDER BY created_at_epoch_ms, message_uuid) AS position
      FROM {{schema}}.notifications WHERE NOT consumed) waiting
WHERE n.message_uuid = waiting.message_uuid;
SELECT setval('{{schema}}.notifications_durably_send_order_seq', COALESCE(max(durably_send_order), 0) + 1, false)
FROM {{schema}}.notifications;

ALTER TABLE {{schema}}.notifications
    ALTER COLUMN durably_send_order SET DEFAULT nextval('{{schema}}.notifications_durably_send_order_seq');
