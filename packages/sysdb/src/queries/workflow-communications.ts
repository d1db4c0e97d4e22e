// What a workflow said and heard, for a dashboard: its events, the messages sent to it, and the
// newest entries of its streams. Each reads the table's primary key or topic index by workflow.
import type { SystemDatabase } from "../system-database.js";

export interface EventRecord {
  readonly key: string;
  readonly value: string;
  readonly serialization: string | null;
}

export interface MessageRecord {
  readonly topic: string | null;
  readonly message: string;
  readonly serialization: string | null;
  readonly createdAt: number;
  readonly consumed: boolean;
}

export interface StreamEntryRecord {
  readonly key: string;
  readonly offset: number;
  readonly value: string;
  readonly serialization: string | null;
}

/** The workflow's events (latest value of each key), by key. */
export async function listWorkflowEvents(
  sysdb: SystemDatabase,
  workflowID: string,
  limit: number,
): Promise<EventRecord[]> {
  return sysdb.db
    .selectFrom("workflow_events")
    .select(["key", "value", "serialization"])
    .where("workflow_uuid", "=", workflowID)
    .orderBy("key")
    .limit(limit)
    .execute();
}

/** The newest `limit` messages sent to the workflow, newest first, consumed or not. */
export async function listWorkflowMessages(
  sysdb: SystemDatabase,
  workflowID: string,
  limit: number,
): Promise<MessageRecord[]> {
  const rows = await sysdb.db
    .selectFrom("notifications")
    .select(["topic", "message", "serialization", "created_at_epoch_ms", "consumed"])
    .where("destination_uuid", "=", workflowID)
    .orderBy("created_at_epoch_ms", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    topic: r.topic,
    message: r.message,
    serialization: r.serialization,
    createdAt: Number(r.created_at_epoch_ms),
    consumed: r.consumed,
  }));
}

/** The newest `limit` entries of the workflow's streams (all keys), newest first. */
export async function listStreamTail(
  sysdb: SystemDatabase,
  workflowID: string,
  limit: number,
): Promise<StreamEntryRecord[]> {
  const rows = await sysdb.db
    .selectFrom("streams")
    .select(["key", "offset", "value", "serialization"])
    .where("workflow_uuid", "=", workflowID)
    .orderBy("offset", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, offset: Number(r.offset) }));
}
