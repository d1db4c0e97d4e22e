-- durably 0002: the notifications trigger wakes receivers only for messages stored unconsumed.
--
-- A send to a receiver waiting in the same process stores its message already consumed by the
-- receiver's step (the receiver has it in hand). A NOTIFY for such a row wakes no one usefully,
-- yet costs that commit a write to the notify queue and a signal to every listening backend.
-- DBOS only ever inserts unconsumed messages, so its senders and receivers see no difference.
DROP TRIGGER dbos_notifications_trigger ON {{schema}}.notifications;
CREATE TRIGGER dbos_notifications_trigger AFTER INSERT ON {{schema}}.notifications
    FOR EACH ROW WHEN (NOT NEW.consumed) EXECUTE FUNCTION {{schema}}.notifications_function();
