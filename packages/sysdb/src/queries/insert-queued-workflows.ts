// Many queued workflows written by one statement (enqueueMany): their status and input rows, each
// item whole or not at all, skipping the items whose workflow ID, deduplication ID or partition key
// stops them, so one bad item never fails (or half-writes) the others.
//
// Kysely has no construct for json_to_recordset's column definition list, and its `is not null`
// comparison cannot be an operand: those two are `sql` fragments.
import { sql } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";
import { textArray } from "./text-array.js";

/** One workflow to enqueue, as the batch statement reads it from its JSON parameter. */
export interface NewQueuedWorkflow {
  readonly workflowID: string;
  readonly status: "ENQUEUED" | "DELAYED";
  readonly name: string;
  readonly queueName: string;
  readonly applicationVersion: string | null;
  /** Owner; null leaves the workflow unclaimed (any application's executors may run it). */
  readonly applicationName: string | null;
  readonly applicationID: string | null;
  readonly timeoutMs: number | null;
  readonly ownerXid: string;
  readonly serialization: string;
  readonly inputs: string;
  readonly priority: number;
  readonly deduplicationID: string | null;
  readonly queuePartitionKey: string | null;
  readonly delayUntilEpochMs: number | null;
  readonly now: number;
}

type ItemRow = {
  workflow_uuid: string;
  status: string;
  name: string;
  queue_name: string;
  application_version: string | null;
  application_name: string | null;
  application_id: string | null;
  workflow_timeout_ms: number | null;
  owner_xid: string;
  serialization: string;
  inputs: string;
  priority: number;
  deduplication_id: string | null;
  queue_partition_key: string | null;
  delay_until_epoch_ms: number | null;
  now: number;
};
type BatchCtes = { items: ItemRow; ins: { workflow_uuid: string } };

const insertBatch = new CompiledStatement((db, p: { itemsJson: string }) =>
  db
    .withTables<BatchCtes>()
    .with(
      (cte) => cte("items").materialized(),
      () => sql<ItemRow>`(
        select * from json_to_recordset(${p.itemsJson}::text::json)
          as i(workflow_uuid text, status text, name text, queue_name text, application_version text,
               application_name text, application_id text, workflow_timeout_ms int8, owner_xid text,
               serialization text, inputs text, priority int4, deduplication_id text,
               queue_partition_key text, delay_until_epoch_ms int8, now int8))`,
    )
    .with("ins", (db) =>
      db
        .insertInto("workflow_status")
        .columns([
          "workflow_uuid",
          "status",
          "name",
          "queue_name",
          "application_version",
          "application_name",
          "application_id",
          "workflow_timeout_ms",
          "owner_xid",
          "creator_xid",
          "serialization",
          "recovery_attempts",
          "authenticated_roles",
          "priority",
          "deduplication_id",
          "queue_partition_key",
          "delay_until_epoch_ms",
          "created_at",
          "updated_at",
        ])
        .expression(
          db
            .selectFrom("items as i")
            .select((eb) => [
              "i.workflow_uuid",
              "i.status",
              "i.name",
              "i.queue_name",
              "i.application_version",
              "i.application_name",
              "i.application_id",
              "i.workflow_timeout_ms",
              "i.owner_xid",
              eb.ref("i.owner_xid").as("creator_xid"),
              "i.serialization",
              sql.lit(0).as("recovery_attempts"),
              sql.lit("[]").as("authenticated_roles"),
              "i.priority",
              "i.deduplication_id",
              "i.queue_partition_key",
              "i.delay_until_epoch_ms",
              eb.ref("i.now").as("created_at"),
              eb.ref("i.now").as("updated_at"),
            ])
            // A partition key must fit its queue's row (required on a partitioned queue, refused on
            // another); a queue without a row takes any, as a single enqueue does.
            .where((eb) =>
              eb.not(
                eb.exists(
                  eb
                    .selectFrom("queues as q")
                    .select(sql.lit(1).as("one"))
                    .whereRef("q.name", "=", "i.queue_name")
                    .where("q.partition_queue", "<>", sql<boolean>`(${sql.ref("i.queue_partition_key")} is not null)`),
                ),
              ),
            )
            // One order for every batch, so two batches that overlap wait on each other, never deadlock.
            .orderBy("i.workflow_uuid"),
        )
        // No conflict target: an existing workflow ID and a held deduplication ID both skip the item.
        .onConflict((oc) => oc.doNothing())
        .returning("workflow_uuid"),
    )
    .with("input", (db) =>
      db
        .insertInto("workflow_input")
        .columns(["workflow_uuid", "inputs", "retention_timestamp"])
        .expression(
          db
            .selectFrom("ins")
            .innerJoin("items as i", "i.workflow_uuid", "ins.workflow_uuid")
            .select(["ins.workflow_uuid", "i.inputs", "i.now"]),
        )
        // A stale input row of a deleted workflow (it has no foreign key) must not block a new one.
        .onConflict((oc) =>
          oc.column("workflow_uuid").doUpdateSet((eb) => ({
            inputs: eb.ref("excluded.inputs"),
            retention_timestamp: eb.ref("excluded.retention_timestamp"),
          })),
        ),
    )
    .selectFrom("ins")
    .select("workflow_uuid"),
);

/**
 * Inserts the queued workflows `items` (distinct workflow IDs) in one statement, and returns the IDs
 * it inserted. An item it skipped was stopped by an existing row with its workflow ID, by a holder
 * of its deduplication ID on its queue, or by a partition key that does not fit its queue's row;
 * {@link explainSkippedEnqueues} says which.
 *
 * @example
 * const inserted = await insertQueuedWorkflows(sysdb, [{ workflowID: "a", status: "ENQUEUED", ... }]);
 */
export async function insertQueuedWorkflows(on: Queryable, items: readonly NewQueuedWorkflow[]): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const rows: ItemRow[] = items.map((w) => ({
    workflow_uuid: w.workflowID,
    status: w.status,
    name: w.name,
    queue_name: w.queueName,
    application_version: w.applicationVersion,
    application_name: w.applicationName,
    application_id: w.applicationID,
    workflow_timeout_ms: w.timeoutMs,
    owner_xid: w.ownerXid,
    serialization: w.serialization,
    inputs: w.inputs,
    priority: w.priority,
    deduplication_id: w.deduplicationID,
    queue_partition_key: w.queuePartitionKey,
    delay_until_epoch_ms: w.delayUntilEpochMs,
    now: w.now,
  }));
  const inserted = await insertBatch.execute(on, { itemsJson: JSON.stringify(rows) });
  return new Set(inserted.map((r) => r.workflow_uuid));
}

/** Why a batch skipped its items: the rows with their IDs, the holders of their deduplication IDs, their queues' rows. */
export interface SkippedEnqueues {
  /** Workflow ID → the name of the workflow that has it. */
  readonly existing: Map<string, string | null>;
  /** `queue\u0000deduplicationID` → the workflow holding it. */
  readonly holders: Map<string, string>;
  /** Queue name → whether its row says partitioned (queues without a row are absent). */
  readonly partitioned: Map<string, boolean>;
}

/** Reads what stopped the skipped items of a batch (three reads, only when some were skipped). */
export async function explainSkippedEnqueues(
  on: Queryable,
  skipped: readonly NewQueuedWorkflow[],
): Promise<SkippedEnqueues> {
  const ids = skipped.map((w) => w.workflowID);
  const queues = [...new Set(skipped.map((w) => w.queueName))];
  const deduplicated = skipped.filter((w) => w.deduplicationID !== null);
  const [existing, holders, partitioned] = await Promise.all([
    on.db
      .selectFrom("workflow_status")
      .select(["workflow_uuid", "name"])
      .where("workflow_uuid", "=", (eb) => eb.fn.any(textArray(ids)))
      .execute(),
    deduplicated.length === 0
      ? Promise.resolve([])
      : on.db
          .selectFrom("workflow_status")
          .select(["workflow_uuid", "queue_name", "deduplication_id"])
          .where("queue_name", "=", (eb) => eb.fn.any(textArray(queues)))
          .where("deduplication_id", "=", (eb) =>
            eb.fn.any(textArray(deduplicated.map((w) => w.deduplicationID as string))),
          )
          .execute(),
    on.db
      .selectFrom("queues")
      .select(["name", "partition_queue"])
      .where("name", "=", (eb) => eb.fn.any(textArray(queues)))
      .execute(),
  ]);
  return {
    existing: new Map(existing.map((r) => [r.workflow_uuid, r.name])),
    holders: new Map(holders.map((r) => [`${r.queue_name}\u0000${r.deduplication_id}`, r.workflow_uuid])),
    partitioned: new Map(partitioned.map((r) => [r.name, r.partition_queue])),
  };
}
