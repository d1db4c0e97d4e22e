// Messages between workflows (dbos.notifications): send, and receive-exactly-once together with
// the receiving step's checkpoint. The table's trigger NOTIFYs receivers on every insert.
import type { SystemDatabase } from "../system-database.js";
import { stepIsFree, type StepKey } from "./step-fence.js";

/** Topic stored for messages sent without one (as DBOS stores it). */
export const nullTopic = "__null__topic__";
/** Channel the notifications trigger NOTIFYs, with payload `destination::topic`. */
export const messagesChannel = "dbos_notifications_channel";

export interface NewMessage {
  readonly destinationID: string;
  readonly topic: string;
  readonly message: string;
  readonly serialization: string;
  /** Idempotency: a second insert with the same ID does nothing. */
  readonly messageID: string;
  readonly now: number;
}

/** Inserts a message; false if one with this ID was already there. A missing destination raises 23503. */
export async function insertMessage(sysdb: SystemDatabase, m: NewMessage): Promise<boolean> {
  const { sql } = sysdb;
  const rows = await sql`
    insert into ${sql(sysdb.schema)}.notifications (message_uuid, destination_uuid, topic, message, serialization, created_at_epoch_ms)
    values (${m.messageID}, ${m.destinationID}, ${m.topic}, ${m.message}, ${m.serialization}, ${m.now})
    on conflict (message_uuid) do nothing
    returning message_uuid`;
  return rows.length === 1;
}

export type ConsumeResult =
  | { readonly kind: "empty" }
  | { readonly kind: "refused" }
  | { readonly kind: "received"; readonly message: string; readonly serialization: string | null };

/**
 * Consumes the oldest unconsumed message for (workflow, topic) and records it as the step's
 * checkpoint, in one statement: either both happen or neither. `refused` means the workflow is
 * no longer this run's or the step is already recorded.
 */
export async function consumeMessage(sysdb: SystemDatabase, key: StepKey, topic: string, stepName: string): Promise<ConsumeResult> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const [row] = await sql`
    with target as (
      select message_uuid from ${s}.notifications
      where destination_uuid = ${key.workflowID} and topic = ${topic} and not consumed
      order by created_at_epoch_ms, message_uuid
      limit 1
      for update skip locked
    ), msg as (
      update ${s}.notifications n set consumed = true, consumed_by_function_id = ${key.stepID}
      from target
      where n.message_uuid = target.message_uuid and ${stepIsFree(sql, sysdb.schema, key)}
      returning n.message, n.serialization
    ), cp as (
      insert into ${s}.operation_outputs (workflow_uuid, function_id, function_name, output, serialization,
        started_at_epoch_ms, completed_at_epoch_ms, application_name)
      select ${key.workflowID}, ${key.stepID}, ${stepName}, msg.message, msg.serialization, ${key.startedAt}, ${key.now}, ${key.applicationName}
      from msg
      on conflict do nothing
      returning function_id
    )
    select (select count(*)::int from target) as available, (select count(*)::int from cp) as recorded,
           (select message from msg) as message, (select serialization from msg) as serialization`;
  if (row?.available === 0) return { kind: "empty" };
  if (row?.recorded !== 1) return { kind: "refused" };
  return { kind: "received", message: row.message as string, serialization: (row.serialization as string | null) ?? null };
}
