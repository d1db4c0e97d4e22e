// What a fork takes from its original besides the status row: the input, and the checkpoints,
// events and stream entries written before the step it re-executes from.
import type { TransactionQueryable } from "../queryable.js";

/** operation_outputs columns of a checkpoint, copied as they are. */
const copiedCheckpointColumns = [
  "function_id",
  "function_name",
  "output",
  "error",
  "child_workflow_id",
  "started_at_epoch_ms",
  "completed_at_epoch_ms",
  "serialization",
  "application_name",
] as const;

/**
 * Copies `originalID`'s input to `forkedID`, and its checkpoints, event history and stream entries
 * of steps before `startStep`; the fork's current events are each key's latest value among them.
 */
export async function copyForkHistory(
  db: TransactionQueryable["db"],
  f: { readonly originalID: string; readonly forkedID: string; readonly startStep: number; readonly now: number },
): Promise<void> {
  await db
    .insertInto("workflow_input")
    .columns(["workflow_uuid", "inputs", "retention_timestamp"])
    .expression(
      db
        .selectFrom("workflow_status as w")
        .leftJoin("workflow_input as i", "i.workflow_uuid", "w.workflow_uuid")
        .select((eb) => [
          eb.val(f.forkedID).as("workflow_uuid"),
          eb.fn.coalesce("i.inputs", "w.inputs").as("inputs"),
          eb.val(f.now).as("retention_timestamp"),
        ])
        .where("w.workflow_uuid", "=", f.originalID),
    )
    .execute();
  if (f.startStep > 0) {
    await db
      .insertInto("operation_outputs")
      .columns(["workflow_uuid", ...copiedCheckpointColumns])
      .expression(
        db
          .selectFrom("operation_outputs")
          .select((eb) => [eb.val(f.forkedID).as("workflow_uuid"), ...copiedCheckpointColumns])
          .where("workflow_uuid", "=", f.originalID)
          .where("function_id", "<", f.startStep),
      )
      .execute();
    await db
      .insertInto("workflow_events_history")
      .columns(["workflow_uuid", "function_id", "key", "value", "serialization"])
      .expression(
        db
          .selectFrom("workflow_events_history")
          .select((eb) => [eb.val(f.forkedID).as("workflow_uuid"), "function_id", "key", "value", "serialization"])
          .where("workflow_uuid", "=", f.originalID)
          .where("function_id", "<", f.startStep),
      )
      .execute();
    // Each key's latest value before startStep, from the history just copied.
    await db
      .insertInto("workflow_events")
      .columns(["workflow_uuid", "key", "value", "serialization"])
      .expression(
        db
          .selectFrom("workflow_events_history")
          .distinctOn("key")
          .select((eb) => [eb.val(f.forkedID).as("workflow_uuid"), "key", "value", "serialization"])
          .where("workflow_uuid", "=", f.forkedID)
          .orderBy("key")
          .orderBy("function_id", "desc"),
      )
      .execute();
    const streamColumns = ["key", "value", "offset", "function_id", "serialization"] as const;
    await db
      .insertInto("streams")
      .columns(["workflow_uuid", ...streamColumns])
      .expression(
        db
          .selectFrom("streams")
          .select((eb) => [eb.val(f.forkedID).as("workflow_uuid"), ...streamColumns])
          .where("workflow_uuid", "=", f.originalID)
          .where("function_id", "<", f.startStep),
      )
      .execute();
  }
}
