// Messages between workflows (dbos.notifications): send, and receive-exactly-once together with
// the receiving step's checkpoint. The table's trigger NOTIFYs receivers of each unconsumed message.
import { expressionBuilder, sql, type SqlBool } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import { DurablyError } from "../durably-error.js";
import type { Queryable } from "../queryable.js";
import { classifyError } from "../sqlstate.js";
import type { SystemSchema } from "../tables.js";
import { insertFencedCheckpoint, runOwnsWorkflow, stepIsFree, type StepKey } from "./step-fence.js";

/** Topic stored for messages sent without one (as DBOS stores it). */
export const nullTopic = "__null__topic__";

const eb = expressionBuilder<SystemSchema>();

export interface NewMessage {
  readonly destinationID: string;
  readonly topic: string;
  readonly message: string;
  readonly serialization: string;
  /** Idempotency: a second insert with the same ID does nothing. */
  readonly messageID: string;
  readonly now: number;
}

const insert = new CompiledStatement((db, m: NewMessage) =>
  db
    .insertInto("notifications")
    .values({
      message_uuid: m.messageID,
      destination_uuid: m.destinationID,
      topic: m.topic,
      message: m.message,
      serialization: m.serialization,
      created_at_epoch_ms: m.now,
    })
    .onConflict((oc) => oc.column("message_uuid").doNothing())
    .returning("message_uuid"),
);

/** Inserts a message; false if one with this ID was already there. A missing destination raises 23503. */
export async function insertMessage(on: Queryable, m: NewMessage): Promise<boolean> {
  const rows = await insert.execute(on, m);
  return rows.length === 1;
}

export type ConsumeResult =
  | { readonly kind: "empty" }
  | { readonly kind: "refused" }
  | { readonly kind: "received"; readonly message: string; readonly serialization: string | null };

interface Consume extends StepKey {
  readonly topic: string;
  readonly stepName: string;
}

const consume = new CompiledStatement((db, p: Consume) =>
  db
    .with("free", (db) => db.selectNoFrom(stepIsFree(p).as("free")))
    .with("target", (db) =>
      db
        .selectFrom("notifications")
        .select(["message_uuid", "message", "serialization"])
        .where("destination_uuid", "=", p.workflowID)
        .where("topic", "=", p.topic)
        .where("consumed", "=", sql.lit(false))
        .orderBy("durably_send_order")
        .limit(sql.lit(1))
        .forUpdate(),
    )
    .with("cp", (db) =>
      insertFencedCheckpoint(db, {
        key: p,
        stepName: p.stepName,
        from: db.selectFrom(["target", "free"]),
        output: sql.ref<string | null>("target.message"),
        serialization: sql.ref<string | null>("target.serialization"),
        where: sql.ref<SqlBool>("free.free"),
      })
        .onConflict((oc) => oc.doNothing())
        .returning("function_id"),
    )
    .with("msg", (db) =>
      db
        .updateTable("notifications as n")
        .set({ consumed: sql.lit(true), consumed_by_function_id: p.stepID })
        .from(["target", "cp"])
        .whereRef("n.message_uuid", "=", "target.message_uuid")
        .returning(sql.lit(1).as("one")),
    )
    .selectNoFrom((eb) => [
      eb.selectFrom("free").select("free").$asScalar().as("free"),
      eb
        .selectFrom("target")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .$asScalar()
        .as("available"),
      eb
        .selectFrom("msg")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .$asScalar()
        .as("recorded"),
      eb.selectFrom("target").select("message").$asScalar().as("message"),
      eb.selectFrom("target").select("serialization").$asScalar().as("serialization"),
    ]),
);

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
export async function consumeMessage(
  on: Queryable,
  key: StepKey,
  topic: string,
  stepName: string,
): Promise<ConsumeResult> {
  const [row] = await consume.execute(on, { ...key, topic, stepName });
  // A step no longer free may have been recorded by a sender handing us a message: the caller reads it.
  if (row === undefined || row.free !== true) return { kind: "refused" };
  if (row.available === 0) return { kind: "empty" };
  if (row.recorded !== 1 || row.message === null) return { kind: "refused" };
  return { kind: "received", message: row.message, serialization: row.serialization };
}

/** The receiving step (its workflow is the destination) and the message handed to it. */
interface HandOver extends StepKey {
  readonly stepName: string;
  readonly messageID: string;
  readonly topic: string;
  readonly message: string;
  readonly serialization: string;
  /** The message's own timestamp (StepKey's `now` is the step's completion). */
  readonly sentAt: number;
}

// The message text is bound once: the notification copies it from the checkpoint.
const handOver = new CompiledStatement((db, p: HandOver) =>
  db
    .with("cp", (db) =>
      insertFencedCheckpoint(db, {
        key: p,
        stepName: p.stepName,
        output: eb.cast<string | null>(eb.val(p.message), "text"),
        serialization: p.serialization,
        where: eb.and([
          runOwnsWorkflow(p),
          eb.not(
            eb.exists(
              eb
                .selectFrom("notifications as n")
                .select(sql.lit(1).as("one"))
                .where("n.destination_uuid", "=", eb.cast<string>(eb.val(p.workflowID), "text"))
                .where("n.topic", "=", eb.cast<string>(eb.val(p.topic), "text"))
                .where("n.consumed", "=", sql.lit(false)),
            ),
          ),
        ]),
      }).returning(["workflow_uuid", "function_id", "output", "serialization"]),
    )
    .insertInto("notifications")
    .columns([
      "message_uuid",
      "destination_uuid",
      "topic",
      "message",
      "serialization",
      "created_at_epoch_ms",
      "consumed",
      "consumed_by_function_id",
    ])
    .expression((eb) =>
      eb
        .selectFrom("cp")
        .select((eb) => [
          eb.cast<string>(eb.val(p.messageID), "text").as("message_uuid"),
          "cp.workflow_uuid",
          eb.cast<string>(eb.val(p.topic), "text").as("topic"),
          "cp.output",
          "cp.serialization",
          eb.cast<number>(eb.val(p.sentAt), "bigint").as("created_at_epoch_ms"),
          sql.lit(true).as("consumed"),
          "cp.function_id",
        ]),
    )
    .returning(sql.lit(1).as("one")),
);

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
export async function insertMessageForReceiver(
  on: Queryable,
  m: NewMessage,
  receiver: StepKey,
  stepName: string,
): Promise<boolean> {
  if (receiver.workflowID !== m.destinationID)
    throw new DurablyError("INVALID_ARGUMENT", "The receiving step must belong to the message's destination.");
  try {
    const { messageID, topic, message, serialization, now: sentAt } = m;
    const rows = await handOver.execute(on, {
      ...receiver,
      stepName,
      messageID,
      topic,
      message,
      serialization,
      sentAt,
    });
    return rows.length === 1;
  } catch (error) {
    if (classifyError(error) === "unique_violation") return false;
    throw error;
  }
}
