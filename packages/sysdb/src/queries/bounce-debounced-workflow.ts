// Debouncing, as DBOS 5.3.0 stores it: a burst is one DELAYED row with is_debounced set and the
// debounce key as its deduplication ID; each enqueue of the burst pushes its delay out (capped by
// debounce_deadline_epoch_ms) and replaces its input. Promotion to ENQUEUED clears the key.
import type { Queryable } from "../queryable.js";

export interface Bounce {
  readonly name: string;
  readonly queueName: string;
  /** The debounce key as stored: `.<workflow name>-<key>`, DBOS's form for a function workflow. */
  readonly deduplicationID: string;
  /** The new delay: the caller's clock plus the period (the deadline still caps it). */
  readonly delayUntilEpochMs: number;
  readonly serialization: string;
  readonly inputs: string;
  readonly applicationName: string | null;
  readonly now: number;
}

/** The stored debounce key of `key` for workflow `name`: DBOS's `<class>.<name>-<key>` with no class. */
export function debounceDeduplicationID(name: string, key: string): string {
  return `.${name}-${key}`;
}

/**
 * Extends the burst waiting under `b`'s key, if one is still DELAYED: its delay moves to
 * `delayUntilEpochMs` (or its deadline, if sooner) and its input becomes `b.inputs`, in one
 * statement (the row lock orders it against the promotion to ENQUEUED). Returns the burst's
 * workflow ID, or undefined when no burst is waiting (start one).
 */
export async function bounceDebouncedWorkflow(on: Queryable, b: Bounce): Promise<string | undefined> {
  const row = await on.db
    .with("bounced", (db) =>
      db
        .updateTable("workflow_status")
        .set((eb) => ({
          delay_until_epoch_ms: eb.fn<number>("least", [
            eb.fn.coalesce("debounce_deadline_epoch_ms", eb.val(b.delayUntilEpochMs)),
            eb.val(b.delayUntilEpochMs),
          ]),
          serialization: b.serialization,
          updated_at: b.now,
          // Claimed for this application, as a dequeue would: an unclaimed burst is everyone's.
          application_name: eb.fn.coalesce("application_name", eb.val(b.applicationName)),
        }))
        .where("name", "=", b.name)
        .where("class_name", "is", null)
        .where("queue_name", "=", b.queueName)
        .where("deduplication_id", "=", b.deduplicationID)
        .where("status", "=", "DELAYED")
        .where("is_debounced", "=", true)
        .where((eb) =>
          b.applicationName === null
            ? eb.lit(true)
            : eb.or([eb("application_name", "=", b.applicationName), eb("application_name", "is", null)]),
        )
        .returning("workflow_uuid"),
    )
    .with("input", (db) =>
      db
        .insertInto("workflow_input")
        .columns(["workflow_uuid", "inputs", "retention_timestamp"])
        .expression(
          db
            .selectFrom("bounced")
            .select((eb) => ["workflow_uuid", eb.val(b.inputs).as("inputs"), eb.val(b.now).as("now")]),
        )
        .onConflict((oc) => oc.column("workflow_uuid").doUpdateSet((eb) => ({ inputs: eb.ref("excluded.inputs") }))),
    )
    .selectFrom("bounced")
    .select("workflow_uuid")
    .executeTakeFirst();
  return row?.workflow_uuid;
}
