// The NOTIFY channels of the system database, in one place: who sends on each and what it carries.

/** The notifications table's trigger NOTIFYs each unconsumed message, payload `destination::topic` (DBOS's name). */
export const messagesChannel = "dbos_notifications_channel";
/** durably NOTIFYs after an event is set, payload `workflowID::key`. */
export const eventsChannel = "dbos_workflow_events_channel";
/** durably NOTIFYs after a stream write, payload `workflowID::key`. */
export const streamsChannel = "dbos_streams_channel";
/** Wakes dequeuers after durably enqueued work, payload the queue name. */
export const enqueuedChannel = "durably_workflow_enqueued";
/** durably announces cancelled workflow IDs on it, so runners stop at once. */
export const cancelChannel = "durably_workflow_cancelled";
/** durably NOTIFYs after a queue is paused or resumed, payload the queue name, so workers re-read pauses at once. */
export const queuePausesChannel = "durably_queue_pauses";
/** A process waiting in getResult for a workflow it does not run NOTIFYs its ID here (core's result-wake.ts). */
export const resultWantedChannel = "durably_result_wanted";
/** Answers a wanted ID once its outcome is committed (or "look again" from a process not running it). */
export const resultReadyChannel = "durably_result_ready";
