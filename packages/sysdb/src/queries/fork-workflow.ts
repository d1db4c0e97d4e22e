// Forking: a new workflow that replays the original's first steps and re-executes from a chosen one.
import { inTransaction, type Queryable } from "../queryable.js";
import { newOwnerToken } from "../short-id.js";
import { enqueuedChannel } from "./channels.js";
import { copyForkHistory } from "./copy-fork-history.js";
import { internalQueueName } from "./workflow-record.js";
import { partitionKeyMismatch } from "./workflow-status.js";
import { statusLiteral } from "./workflow-status-name.js";

export interface ForkRequest {
  readonly originalID: string;
  readonly forkedID: string;
  /** Steps with a smaller ID are copied and replayed; this one and later ones run again. */
  readonly startStep: number;
  readonly applicationVersion: string | null;
  readonly queueName?: string | undefined;
  /** Required on a partitioned queue, refused on any other (checked against dbos.queues). */
  readonly partitionKey?: string | null;
  readonly now: number;
}

/** workflow_status columns the fork takes from the original as they are. */
const copiedStatusColumns = [
  "name",
  "class_name",
  "config_name",
  "application_id",
  "application_name",
  "authenticated_user",
  "assumed_role",
  "authenticated_roles",
  "serialization",
  "attributes",
  "workflow_timeout_ms",
  "schedule_name",
] as const;

/**
 * In one transaction: inserts the fork ENQUEUED (on the internal queue unless told otherwise),
 * copies its input and the checkpoints, events and stream entries written before `startStep`,
 * and marks the original `was_forked_from`. A fork of a schedule's tick keeps its schedule_name,
 * which is what makes its stored arguments read as the tick's input. Returns false if the original
 * does not exist. Throws INVALID_ARGUMENT (inserting nothing) when the partition key does not fit the queue.
 */
export async function forkWorkflow(on: Queryable, f: ForkRequest): Promise<boolean> {
  const queue = f.queueName ?? internalQueueName;
  const partitionKey = f.partitionKey ?? null;
  return inTransaction(on, async ({ db }) => {
    const inserted = await db
      .with("queue", (db) => db.selectFrom("queues").select("partition_queue").where("name", "=", queue))
      .with("ins", (db) =>
        db
          .insertInto("workflow_status")
          .columns([
            ...copiedStatusColumns,
            "workflow_uuid",
            "status",
            "queue_name",
            "application_version",
            "forked_from",
            "recovery_attempts",
            "priority",
            "created_at",
            "updated_at",
            "owner_xid",
            "creator_xid",
            "queue_partition_key",
          ])
          .expression(
            db
              .selectFrom("workflow_status")
              .select((eb) => [
                ...copiedStatusColumns,
                eb.val(f.forkedID).as("workflow_uuid"),
                statusLiteral("ENQUEUED").as("status"),
                eb.val(queue).as("queue_name"),
                eb.fn
                  .coalesce(eb.cast(eb.val(f.applicationVersion), "text"), "application_version")
                  .as("application_version"),
                eb.ref("workflow_uuid").as("forked_from"),
                eb.lit(0).as("recovery_attempts"),
                eb.lit(0).as("priority"),
                eb.val(f.now).as("created_at"),
                eb.val(f.now).as("updated_at"),
                // owner_xid and creator_xid are owner tokens, compared and never parsed by DBOS: nanoid (short-id.ts).
                eb.cast(eb.val(newOwnerToken()), "text").as("owner_xid"),
                eb.cast(eb.val(newOwnerToken()), "text").as("creator_xid"),
                eb.cast(eb.val(partitionKey), "text").as("queue_partition_key"),
              ])
              .where("workflow_uuid", "=", f.originalID)
              .where((eb) =>
                eb.not(
                  eb.exists(
                    eb
                      .selectFrom("queue")
                      .select(eb.lit(1).as("one"))
                      .where("partition_queue", "<>", partitionKey !== null),
                  ),
                ),
              ),
          )
          .returning("workflow_uuid"),
      )
      .selectNoFrom((eb) => [
        eb
          .cast<number>(
            eb
              .selectFrom("ins")
              .select((eb) => eb.fn.countAll().as("n"))
              .$asScalar(),
            "integer",
          )
          .as("inserted"),
        eb.selectFrom("queue").select("partition_queue").$asScalar().as("partition_queue"),
      ])
      .executeTakeFirst();
    if (inserted?.inserted !== 1) {
      const partitioned = inserted?.partition_queue;
      if (typeof partitioned === "boolean" && partitioned === (partitionKey === null))
        throw partitionKeyMismatch(queue, partitioned);
      return false;
    }
    await copyForkHistory(db, f);
    await db
      .updateTable("workflow_status")
      .set({ was_forked_from: true })
      .where("workflow_uuid", "=", f.originalID)
      .execute();
    await db.selectNoFrom((eb) => eb.fn("pg_notify", [eb.val(enqueuedChannel), eb.val(queue)]).as("n")).execute();
    return true;
  });
}
