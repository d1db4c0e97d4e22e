// Retention: deleting finished workflows and everything that belongs to them, a batch at a time
// so no statement holds many locks for long.
import { sql } from "kysely";
import type { Queryable } from "../queryable.js";
import { statusLiteral } from "./workflow-status-name.js";

/** Which finished workflows a retention pass deletes: those matching either bound. */
export interface RetentionBounds {
  /** Finished (completed_at, else updated_at) before this epoch ms. */
  readonly finishedBefore?: number;
  /** Created before this epoch ms (the created_at of the newest workflow kept by count). */
  readonly createdBefore?: number;
}

/**
 * The created_at of the `keep`-th newest workflow (of `applicationName` and unclaimed ones), or
 * undefined if there are fewer: workflows created before it are past a keep-the-newest-N bound.
 * Walks workflow_status_created_at_index backwards, `keep` entries.
 */
export async function nthNewestCreatedAt(
  on: Queryable,
  keep: number,
  applicationName: string | undefined,
): Promise<number | undefined> {
  const row = await on.db
    .selectFrom("workflow_status")
    .select("created_at")
    .$if(applicationName !== undefined, (q) =>
      q.where((eb) => eb.or([eb("application_name", "=", applicationName!), eb("application_name", "is", null)])),
    )
    .orderBy("created_at", "desc")
    .offset(keep - 1)
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.created_at);
}

/**
 * Deletes up to `batchSize` workflows that finished (SUCCESS, ERROR, CANCELLED,
 * MAX_RECOVERY_ATTEMPTS_EXCEEDED) within `bounds`, with their inputs, outputs and
 * checkpoints (messages, events and streams go by foreign-key cascade). Rows other workers are
 * touching are skipped. Returns how many workflows were deleted.
 */
export async function deleteFinishedWorkflows(
  on: Queryable,
  bounds: RetentionBounds,
  batchSize: number,
  applicationName: string | undefined,
): Promise<number> {
  const { finishedBefore, createdBefore } = bounds;
  if (finishedBefore === undefined && createdBefore === undefined) return 0;
  const row = await on.db
    .with("doomed", (db) =>
      db
        .selectFrom("workflow_status")
        .select("workflow_uuid")
        .where("status", "in", [
          statusLiteral("SUCCESS"),
          statusLiteral("ERROR"),
          statusLiteral("CANCELLED"),
          statusLiteral("MAX_RECOVERY_ATTEMPTS_EXCEEDED"),
        ])
        .where((eb) =>
          eb.or([
            ...(finishedBefore === undefined
              ? []
              : [eb(eb.fn.coalesce("completed_at", "updated_at"), "<", finishedBefore)]),
            ...(createdBefore === undefined ? [] : [eb("created_at", "<", createdBefore)]),
          ]),
        )
        .$if(applicationName !== undefined, (q) =>
          q.where((eb) => eb.or([eb("application_name", "=", applicationName!), eb("application_name", "is", null)])),
        )
        .limit(batchSize)
        .forUpdate()
        .skipLocked(),
    )
    .with("steps", (db) =>
      db.deleteFrom("operation_outputs as o").using("doomed as d").whereRef("o.workflow_uuid", "=", "d.workflow_uuid"),
    )
    .with("inputs", (db) =>
      db.deleteFrom("workflow_input as i").using("doomed as d").whereRef("i.workflow_uuid", "=", "d.workflow_uuid"),
    )
    .with("outputs", (db) =>
      db.deleteFrom("workflow_output as o").using("doomed as d").whereRef("o.workflow_uuid", "=", "d.workflow_uuid"),
    )
    .with("statuses", (db) =>
      db
        .deleteFrom("workflow_status as w")
        .using("doomed as d")
        .whereRef("w.workflow_uuid", "=", "d.workflow_uuid")
        .returning(sql.lit(1).as("one")),
    )
    .selectFrom("statuses")
    .select((eb) => eb.fn.countAll<number>().as("deleted"))
    .executeTakeFirst();
  return row?.deleted ?? 0;
}
