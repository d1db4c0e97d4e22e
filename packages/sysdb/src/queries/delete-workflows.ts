// Retention: deleting finished workflows and everything that belongs to them, a batch at a time
// so no statement holds many locks for long.
import { sql } from "kysely";
import type { Queryable } from "../queryable.js";
import { statusLiteral } from "./workflow-status-name.js";

/**
 * Which finished workflows a retention batch deletes, one bound at a time so that each batch walks
 * one index from its oldest end and stops after `batchSize` rows (an OR of both bounds would make
 * the planner build a bitmap of every match, per batch): `finishedAt` walks
 * durably_workflow_status_finished_at (migration 0009), `createdAt` workflow_status_created_at_index.
 */
export interface RetentionBound {
  /** finishedAt: completed_at (else updated_at) before `before`; createdAt: created_at before `before`. */
  readonly by: "finishedAt" | "createdAt";
  /** Epoch ms, exclusive. */
  readonly before: number;
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
 * Deletes up to `batchSize` workflows, oldest first, that finished (SUCCESS, ERROR, CANCELLED,
 * MAX_RECOVERY_ATTEMPTS_EXCEEDED) within `bound`, with their inputs, outputs and checkpoints
 * (messages, events and streams go by foreign-key cascade). Rows other workers are touching are
 * skipped. Returns how many workflows were deleted.
 */
export async function deleteFinishedWorkflows(
  on: Queryable,
  bound: RetentionBound,
  batchSize: number,
  applicationName: string | undefined,
): Promise<number> {
  const row = await on.db
    .with("doomed", (db) =>
      db
        .selectFrom("workflow_status")
        .select("workflow_uuid")
        // The literal list, as written in the predicate of migration 0009's partial index.
        .where("status", "in", [
          statusLiteral("SUCCESS"),
          statusLiteral("ERROR"),
          statusLiteral("CANCELLED"),
          statusLiteral("MAX_RECOVERY_ATTEMPTS_EXCEEDED"),
        ])
        .$if(bound.by === "finishedAt", (q) =>
          q
            .where((eb) => eb(eb.fn.coalesce("completed_at", "updated_at"), "<", bound.before))
            .orderBy((eb) => eb.fn.coalesce("completed_at", "updated_at")),
        )
        .$if(bound.by === "createdAt", (q) => q.where("created_at", "<", bound.before).orderBy("created_at"))
        .$if(applicationName !== undefined, (q) =>
          q.where((eb) => eb.or([eb("application_name", "=", applicationName!), eb("application_name", "is", null)])),
        )
        .limit(batchSize)
        .forUpdate()
        .skipLocked(),
    )
    // The batch's IDs as one array, so each delete below probes its primary key per ID (= ANY of an
    // array): joined to the CTE instead, the planner may hash-join a whole scan of the table per batch.
    .with("doomed_ids", (db) =>
      db.selectFrom("doomed").select((eb) => eb.fn.agg<string[]>("array_agg", ["workflow_uuid"]).as("ids")),
    )
    .with("steps", (db) =>
      db
        .deleteFrom("operation_outputs as o")
        .using("doomed_ids as d")
        .where((eb) => eb("o.workflow_uuid", "=", eb.fn.any("d.ids"))),
    )
    .with("inputs", (db) =>
      db
        .deleteFrom("workflow_input as i")
        .using("doomed_ids as d")
        .where((eb) => eb("i.workflow_uuid", "=", eb.fn.any("d.ids"))),
    )
    .with("outputs", (db) =>
      db
        .deleteFrom("workflow_output as p")
        .using("doomed_ids as d")
        .where((eb) => eb("p.workflow_uuid", "=", eb.fn.any("d.ids"))),
    )
    .with("statuses", (db) =>
      db
        .deleteFrom("workflow_status as w")
        .using("doomed_ids as d")
        .where((eb) => eb("w.workflow_uuid", "=", eb.fn.any("d.ids")))
        .returning(sql.lit(1).as("one")),
    )
    .selectFrom("statuses")
    .select((eb) => eb.fn.countAll<number>().as("deleted"))
    .executeTakeFirst();
  return row?.deleted ?? 0;
}
