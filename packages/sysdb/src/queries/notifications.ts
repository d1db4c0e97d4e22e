// Messages between workflows (dbos.notifications): send, and receive-exactly-once together with
// the receiving step's checkpoint. The table's trigger NOTIFYs receivers of each unconsumed message.
import { DurablyError } from "../durably-error.js";
import { classifyError } from "../sqlstate.js";
import type { SystemDatabase } from "../system-database.js";
import { runOwnsWorkflow, stepIsFree, type StepKey } from "./step-fence.js";

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
 * checkpoint, in one statement: either both happen or neither. The checkpoint is inserted first
 * and the message marked from it, so losing a race for the step (to a sender that handed this
 * step a message, see {@link insertMessageForReceiver}) consumes nothing.
 *
 * Oldest means first sent (`durably_send_order`, drawn at insert), not earliest timestamp: sends
 * share milliseconds and senders' clocks disagree. The oldest row is locked and waited for, never
 * skipped: a statement of a run that lost the workflow may hold it for a moment, and skipping it
 * would receive a newer message first. If the holder consumed it, the lock re-check drops it and
 * the next oldest is taken. `refused` means the
 * workflow is no longer this run's or the step is already recorded (even with no message
 * waiting: a sender may have recorded it, and the caller must read what it recorded).
 */
export async function consumeMessage(sysdb: SystemDatabase, key: StepKey, topic: string, stepName: string): Promise<ConsumeResult> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const [row] = await sql`
    with free as (
      select ${stepIsFree(sql, sysdb.schema, key)} as free
    ), target as (
      select message_uuid, message, serialization from ${s}.notifications
      where destination_uuid = ${key.workflowID} and topic = ${topic} and not consumed
      order by durably_send_order
      limit 1
      for update
    ), cp as (
      insert into ${s}.operation_outputs (workflow_uuid, function_id, function_name, output, serialization,
        started_at_epoch_ms, completed_at_epoch_ms, application_name)
      select ${key.workflowID}, ${key.stepID}, ${stepName}, target.message, target.serialization, ${key.startedAt}, ${key.now}, ${key.applicationName}
      from target, free where free.free
      on conflict do nothing
      returning function_id
    ), msg as (
      update ${s}.notifications n set consumed = true, consumed_by_function_id = ${key.stepID}
      from target, cp
      where n.message_uuid = target.message_uuid
      returning 1
    )
    select (select free from free) as free, (select count(*)::int from target) as available, (select count(*)::int from msg) as recorded,
           (select message from target) as message, (select serialization from target) as serialization`;
  // A step no longer free may have been recorded by a sender handing us a message: the caller reads it.
  if (row === undefined || row.free !== true) return { kind: "refused" };
  if (row.available === 0) return { kind: "empty" };
  if (row.recorded !== 1) return { kind: "refused" };
  return { kind: "received", message: row.message as string, serialization: (row.serialization as string | null) ?? null };
}

/**
 * Sends a message to a workflow whose `recv` is waiting at step `receiver`, receiving it there in
 * the same statement: the message is stored consumed by that step and the step's checkpoint holds
 * it, so the receiver needs no round trip of its own. That is only done while the receiver's run
 * still owns the workflow, the step is free, no older message waits on the topic and the message
 * ID is new. Otherwise it writes nothing and returns false: the caller then stores the message as
 * usual ({@link insertMessage}), which also finds a duplicate ID.
 *
 * The statement is kept to the two inserts the hand-over needs, without ON CONFLICT: it runs on
 * every in-process send, and each clause more is executor work on the commit's critical path.
 * A step or ID already taken (a race, a replayed send) raises 23505, which writes nothing.
 */
export async function insertMessageForReceiver(sysdb: SystemDatabase, m: NewMessage, receiver: StepKey, stepName: string): Promise<boolean> {
  if (receiver.workflowID !== m.destinationID) throw new DurablyError("INVALID_ARGUMENT", "The receiving step must belong to the message's destination.");
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  try {
    // The message text is bound once: the notification copies it from the checkpoint.
    const rows = await sql`
      with cp as (
        insert into ${s}.operation_outputs (workflow_uuid, function_id, function_name, output, serialization,
          started_at_epoch_ms, completed_at_epoch_ms, application_name)
        select ${m.destinationID}::text, ${receiver.stepID}::int, ${stepName}::text, ${m.message}::text, ${m.serialization}::text,
               ${receiver.startedAt}::bigint, ${receiver.now}::bigint, ${receiver.applicationName}::text
        where ${runOwnsWorkflow(sql, sysdb.schema, receiver)}
          and not exists (select 1 from ${s}.notifications n
                          where n.destination_uuid = ${m.destinationID}::text and n.topic = ${m.topic}::text and not n.consumed)
        returning workflow_uuid, function_id, output, serialization
      )
      insert into ${s}.notifications (message_uuid, destination_uuid, topic, message, serialization, created_at_epoch_ms,
        consumed, consumed_by_function_id)
      select ${m.messageID}::text, cp.workflow_uuid, ${m.topic}::text, cp.output, cp.serialization, ${m.now}::bigint, true, cp.function_id
      from cp
      returning 1`;
    return rows.length === 1;
  } catch (error) {
    if (classifyError(error) === "unique_violation") return false;
    throw error;
  }
}
