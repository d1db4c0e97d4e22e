// Messages between workflows (dbos.notifications): send, and receive-exactly-once together with
// the receiving step's checkpoint. The table's trigger NOTIFYs receivers on every insert.
import { DurablyError } from "../durably-error.js";
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
 * checkpoint, in one statement: either both happen or neither. The checkpoint is inserted first
 * and the message marked from it, so losing a race for the step (to a sender that handed this
 * step a message, see {@link insertMessageForReceiver}) consumes nothing. `refused` means the
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
      order by created_at_epoch_ms, message_uuid
      limit 1
      for update skip locked
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

/** What became of a message sent towards a receiver known to be waiting. */
export type HandOffResult = "received" | "queued" | "duplicate";

/**
 * Sends a message to a workflow whose `recv` is waiting at step `receiver`, and when it can,
 * receives it there in the same statement: the message is stored consumed by that step and the
 * step's checkpoint holds it, so the receiver needs no round trip of its own. That is only done
 * while the receiver's run still owns the workflow, the step is free and no older message waits
 * on the topic; otherwise the message is stored unconsumed, as {@link insertMessage} does
 * (`queued`), or not at all if its ID is taken (`duplicate`). When the message could be received
 * but its ID is taken (a replayed or retried send), the statement fails with 23505 and writes
 * nothing: the caller then stores it as usual, which finds the duplicate.
 */
export async function insertMessageForReceiver(sysdb: SystemDatabase, m: NewMessage, receiver: StepKey, stepName: string): Promise<HandOffResult> {
  if (receiver.workflowID !== m.destinationID) throw new DurablyError("INVALID_ARGUMENT", "The receiving step must belong to the message's destination.");
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  // Each value is bound once (the statement runs on every in-process send: less to encode).
  const [row] = await sql`
    with v as (
      select ${m.messageID}::text as message_uuid, ${m.destinationID}::text as destination, ${m.topic}::text as topic,
             ${m.message}::text as message, ${m.serialization}::text as serialization, ${m.now}::bigint as now,
             ${receiver.stepID}::int as step_id
    ), cp as (
      insert into ${s}.operation_outputs (workflow_uuid, function_id, function_name, output, serialization,
        started_at_epoch_ms, completed_at_epoch_ms, application_name)
      select w.workflow_uuid, v.step_id, ${stepName}, v.message, v.serialization, ${receiver.startedAt}, v.now, ${receiver.applicationName}
      from v join ${s}.workflow_status w on w.workflow_uuid = v.destination
      where w.status = 'PENDING' and w.owner_xid = ${receiver.ownerXid}
        and not exists (select 1 from ${s}.notifications n
                        where n.destination_uuid = v.destination and n.topic = v.topic and not n.consumed)
      on conflict do nothing
      returning function_id
    ), received as (
      insert into ${s}.notifications (message_uuid, destination_uuid, topic, message, serialization, created_at_epoch_ms,
        consumed, consumed_by_function_id)
      select v.message_uuid, v.destination, v.topic, v.message, v.serialization, v.now, true, cp.function_id
      from v, cp
      returning 1
    ), queued as (
      insert into ${s}.notifications (message_uuid, destination_uuid, topic, message, serialization, created_at_epoch_ms)
      select v.message_uuid, v.destination, v.topic, v.message, v.serialization, v.now
      from v where not exists (select 1 from cp)
      on conflict (message_uuid) do nothing
      returning 1
    )
    select (select count(*)::int from received) as received, (select count(*)::int from queued) as queued`;
  if (row?.received === 1) return "received";
  return row?.queued === 1 ? "queued" : "duplicate";
}
