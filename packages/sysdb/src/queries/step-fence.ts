// The shared piece of every "effect + checkpoint in one statement" query: a step's identity, the
// fence (the workflow is still PENDING and owned by the run writing it; the step is still free),
// and the checkpoint insert that records the step behind that fence.
import {
  expressionBuilder,
  isExpression,
  sql,
  type AliasableExpression,
  type AliasedExpression,
  type Expression,
  type ExpressionWrapper,
  type InsertQueryBuilder,
  type InsertResult,
  type QueryCreator,
  type SelectQueryBuilder,
  type SqlBool,
} from "kysely";
import type { SystemSchema } from "../tables.js";

/** Who is writing a step: the workflow, the step ID, the owning run. */
export interface StepKey {
  readonly workflowID: string;
  readonly stepID: number;
  readonly ownerXid: string;
  readonly applicationName: string;
  readonly startedAt: number;
  readonly now: number;
}

const eb = expressionBuilder<SystemSchema>();

/** True while `key`'s run still owns its PENDING workflow. */
export function runOwnsWorkflow(
  key: Pick<StepKey, "workflowID" | "ownerXid">,
): ExpressionWrapper<SystemSchema, never, SqlBool> {
  return eb.exists(
    eb
      .selectFrom("workflow_status")
      .select(sql.lit(1).as("one"))
      .where("workflow_uuid", "=", key.workflowID)
      .where("status", "=", sql.lit("PENDING"))
      .where("owner_xid", "=", key.ownerXid),
  );
}

/** True while `key`'s run still owns its PENDING workflow and the step has no checkpoint yet. */
export function stepIsFree(key: StepKey): ExpressionWrapper<SystemSchema, never, SqlBool> {
  const recorded = eb
    .selectFrom("operation_outputs")
    .select(sql.lit(1).as("one"))
    .where("workflow_uuid", "=", key.workflowID)
    .where("function_id", "=", key.stepID);
  return eb.and([runOwnsWorkflow(key), eb.not(eb.exists(recorded))]);
}

/** What a fenced checkpoint records beside the step's identity; `output` and `serialization` may read `from`. */
export interface FencedCheckpoint {
  readonly key: StepKey;
  readonly stepName: string;
  readonly output: AliasableExpression<string | null> | null;
  readonly serialization: AliasableExpression<string | null> | string | null;
  /** The rows to record from (CTEs of the statement): one checkpoint per row. None: one checkpoint. */
  // biome-ignore lint/suspicious/noExplicitAny: the CTEs of whichever statement records the step
  readonly from?: SelectQueryBuilder<any, any, object> | undefined;
  /** Usually {@link runOwnsWorkflow} or {@link stepIsFree}, plus the effect's own condition. */
  readonly where: Expression<SqlBool>;
}

const checkpointColumns = [
  "workflow_uuid",
  "function_id",
  "function_name",
  "output",
  "serialization",
  "started_at_epoch_ms",
  "completed_at_epoch_ms",
  "application_name",
] as const;

/**
 * `insert into operation_outputs (…) select <the step's row> [from …] where <fence>`: the one
 * text of a step's checkpoint written together with its effect. The caller adds ON CONFLICT (or
 * lets a taken step raise 23505, which costs the executor less) and RETURNING.
 */
export function insertFencedCheckpoint<DB extends SystemSchema>(
  db: QueryCreator<DB>,
  c: FencedCheckpoint,
): InsertQueryBuilder<DB, "operation_outputs", InsertResult> {
  const output: AliasableExpression<string | null> = c.output ?? eb.cast<string | null>(eb.val(null), "text");
  // A plain value here is a parameter (in a CompiledStatement, a placeholder object).
  const serialization: AliasableExpression<string | null> = isExpression(c.serialization)
    ? (c.serialization as AliasableExpression<string | null>)
    : eb.cast<string | null>(eb.val(c.serialization), "text");
  const row: AliasedExpression<unknown, string>[] = [
    eb.cast(eb.val(c.key.workflowID), "text").as("workflow_uuid"),
    eb.cast(eb.val(c.key.stepID), "integer").as("function_id"),
    eb.cast(eb.val(c.stepName), "text").as("function_name"),
    output.as("output"),
    serialization.as("serialization"),
    eb.cast(eb.val(c.key.startedAt), "bigint").as("started_at_epoch_ms"),
    eb.cast(eb.val(c.key.now), "bigint").as("completed_at_epoch_ms"),
    eb.cast(eb.val(c.key.applicationName), "text").as("application_name"),
  ];
  const select = c.from === undefined ? db.selectNoFrom(row).where(c.where) : c.from.select(row).where(c.where);
  return db.insertInto("operation_outputs").columns(checkpointColumns).expression(select);
}
