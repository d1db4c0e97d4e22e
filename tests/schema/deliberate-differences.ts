// What durably's system schema adds to DBOS 5.3.0's on purpose, each with its reason. The
// compatibility tests accept these differences and no others.

export interface DeliberateDifference {
  /** The line diffCatalogs(durably, dbos) prints for it. */
  readonly difference: string;
  readonly reason: string;
}

// In the order diffCatalogs prints them (sorted).
export const deliberateDifferences: readonly DeliberateDifference[] = [
  {
    difference: "column notifications.durably_send_order: only in durably",
    reason:
      "migration 0003: the order messages were sent in, drawn from a sequence at insert, so recv takes the oldest " +
      "message first even when sends share a millisecond or come from senders whose clocks disagree " +
      "(created_at_epoch_ms cannot tell). DBOS leaves the column out of its inserts and never reads it.",
  },
  {
    difference: "column workflow_status.durably_traceparent: only in durably",
    reason:
      "migration 0011 (0007 before it, as a table): the W3C traceparent a workflow was started or enqueued under, " +
      "written by the start statement's insert only when @durably/otel traces the start, so the run continues " +
      "the caller's trace in any process and a recovered run links to it. DBOS names the columns it reads and " +
      "inserts, so it neither reads nor writes it (null in the rows DBOS inserts).",
  },
  {
    difference: "column workflow_status.durably_tracestate: only in durably",
    reason: "migration 0011: the W3C tracestate beside durably_traceparent, null when the caller had none.",
  },
  {
    difference: "index workflow_status.durably_workflow_status_failed_created_at: only in durably",
    reason:
      "migration 0010: failed and cancelled workflows by created_at, partial on those statuses, so listWorkflows' " +
      "status filter reads failures only; with DBOS's idx_workflow_status_failed alone Postgres walks " +
      "workflow_status_created_at_index past every newer success. DBOS 5.3.0 creates no index of that name and " +
      "never reads it; an extra index does not change what DBOS reads or writes.",
  },
  {
    difference: "index workflow_status.durably_workflow_status_finished_at: only in durably",
    reason:
      "migration 0009: finished workflows by COALESCE(completed_at, updated_at), partial on the finished " +
      "statuses, so each garbageCollectWorkflows batch walks it from its oldest end and stops after the batch " +
      "instead of scanning workflow_status. DBOS 5.3.0 creates no index of that name and never reads it; an " +
      "extra index does not change what DBOS reads or writes.",
  },
  {
    difference: "sequence notifications_durably_send_order_seq: only in durably",
    reason: "migration 0003: the source of notifications.durably_send_order's default.",
  },
  {
    difference: "table durably_executor_leases: only in durably",
    reason:
      "migration 0004: each durably process's lease on its executor identity, renewed on the database clock, so " +
      "live processes adopt the PENDING workflows of one that stopped renewing. DBOS neither reads nor writes it; " +
      "its executors' rows (owner tokens without a lease prefix) are never adopted. Migration 0005 adds " +
      "served_versions, the application versions each process serves.",
  },
  {
    difference: "table durably_message_trace_contexts: only in durably",
    reason:
      "migration 0008: the trace context of a workflow's send, by message ID, written by @durably/otel only when " +
      "it traces the send, so the recv that consumes the message links its span to the send's. DBOS neither reads " +
      "nor writes it; it goes with the sending workflow (foreign key, ON DELETE CASCADE).",
  },
  {
    difference: "table durably_migrations: only in durably",
    reason:
      "durably's own migration ledger, kept beside DBOS's single-row dbos_migrations so DBOS's counter " +
      "is never renumbered; DBOS neither reads nor writes it.",
  },
  {
    difference: "table durably_queue_pauses: only in durably",
    reason:
      "migration 0006: the queues paused with pauseQueue (by name), which no durably worker dequeues until " +
      "resumeQueue; its own table so registering or deleting a dbos.queues row never loses a pause. DBOS " +
      "neither reads nor writes it (DBOS workers do not pause).",
  },
  {
    difference: "table durably_trace_contexts: only in durably",
    reason:
      "migration 0007: where the trace context lived before migration 0011 moved it into workflow_status. Kept, " +
      "no longer read, so processes of the previous version can still start traced workflows during a rolling " +
      "deploy. DBOS neither reads nor writes it; its rows go with their workflow (foreign key, ON DELETE CASCADE).",
  },
  {
    difference:
      "trigger notifications.dbos_notifications_trigger: durably has `…igger AFTER INSERT ON " +
      "{{schema}}.notifications FOR EACH ROW " +
      "WHEN ((NOT new.consumed)) EXECUTE FUNCTION {{schema}}.notifications_function() (enabled O)… (differs " +
      "at character 96)`, " +
      "DBOS has `CREATE TRIGGER dbos_notifications_trigger AFTER INSERT ON {{schema}}.notifications FOR " +
      "EACH ROW EXECUTE FUNCTION " +
      "{{schema}}.notifications_function() (enabled O)`",
    reason:
      "migration 0002: no NOTIFY for a message inserted already consumed, which only durably writes (an " +
      "in-process send " +
      "hands the message to its waiting receiver in the insert itself); the wake-up would reach no one who " +
      "needs it, and " +
      "would cost that commit a notify-queue write. Every message DBOS inserts still notifies.",
  },
];
