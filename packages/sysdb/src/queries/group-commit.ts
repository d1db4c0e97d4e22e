// One statement for everything a batch of running workflows has to record: step checkpoints and
// workflow outcomes, so that many workflows share one round trip and one commit.
//
// Kysely has no construct for json_to_recordset's column definition list or for ARRAY(subquery):
// those two are `sql` fragments.
import { sql, type Kysely, type QueryCreator } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";
import type { SystemSchema } from "../tables.js";
import type { WorkflowStatusName } from "./workflow-status-name.js";
import type { NewCheckpoint } from "./operation-outputs.js";
import type { WorkflowOutcome } from "./workflow-status.js";

export interface GroupCommitResult {
  /** `workflowID:stepID` of each checkpoint written. */
  readonly checkpoints: Set<string>;
  /** IDs of the workflows whose outcome was recorded. */
  readonly outcomes: Set<string>;
}

/** A checkpoint of the batch, as the statement reads it from its JSON parameter. */
type CheckpointRow = {
  workflow_uuid: string;
  function_id: number;
  function_name: string;
  output: string | null;
  error: string | null;
  child_workflow_id: string | null;
  started_at: number | null;
  completed_at: number | null;
  serialization: string | null;
  application_name: string | null;
  owner_xid: string;
};

/** An outcome of the batch, as the statement reads it from its JSON parameter. */
type OutcomeRow = {
  workflow_uuid: string;
  owner_xid: string;
  status: WorkflowStatusName;
  output: string | null;
  error: string | null;
  now: number;
  running: "PENDING";
};

/**
 * The system schema plus the statement's CTEs, declared up front so that each half's CTEs
 * type-check alone and after the other's (Kysely's types do not follow a generic database).
 */
type GroupCommitCtes = {
  c: CheckpointRow;
  written: { workflow_uuid: string; function_id: number };
  o: OutcomeRow;
  finished: { workflow_uuid: string };
};
type GroupCommitSchema = SystemSchema & GroupCommitCtes;

/** The CTEs `c` and `written`: the checkpoints given, and those inserted. */
function withCheckpoints(db: QueryCreator<GroupCommitSchema>, checkpointsJson: string) {
  return db
    .with(
      "c",
      // Kysely wraps a CTE's query in parentheses, but not a raw one.
      () => sql<CheckpointRow>`(
        select * from json_to_recordset(${checkpointsJson}::text::json)
          as c(workflow_uuid text, function_id int4, function_name text, output text, error text,
               child_workflow_id text, started_at int8, completed_at int8, serialization text,
               application_name text, owner_xid text))`,
    )
    .with("written", (db) =>
      db
        .insertInto("operation_outputs")
        .columns([
          "workflow_uuid",
          "function_id",
          "function_name",
          "output",
          "error",
          "child_workflow_id",
          "started_at_epoch_ms",
          "completed_at_epoch_ms",
          "serialization",
          "application_name",
        ])
        .expression(
          db
            .selectFrom("c")
            .select([
              "c.workflow_uuid",
              "c.function_id",
              "c.function_name",
              "c.output",
              "c.error",
              "c.child_workflow_id",
              "c.started_at",
              "c.completed_at",
              "c.serialization",
              "c.application_name",
            ])
            // A scalar subquery runs per row on the primary key; a join lets a generic plan scan every
            // PENDING index entry (dead ones too, until vacuum), which grows with history.
            .where((eb) =>
              eb
                .selectFrom("workflow_status as w")
                .select((eb) =>
                  eb
                    .and([eb("w.status", "=", sql.lit("PENDING")), eb("w.owner_xid", "=", eb.ref("c.owner_xid"))])
                    .as("owned"),
                )
                .whereRef("w.workflow_uuid", "=", "c.workflow_uuid")
                .$asScalar(),
            ),
        )
        .onConflict((oc) => oc.columns(["workflow_uuid", "function_id"]).doNothing())
        .returning(["workflow_uuid", "function_id"]),
    );
}

/** The CTEs `o`, `finished` and `outputs`: the outcomes given, the rows finished, their outputs. */
function withOutcomes(db: QueryCreator<GroupCommitSchema>, outcomesJson: string) {
  return db
    .with(
      (cte) => cte("o").materialized(),
      () => sql<OutcomeRow>`(
        select *, 'PENDING'::text as running from json_to_recordset(${outcomesJson}::text::json)
          as o(workflow_uuid text, owner_xid text, status text, output text, error text, now int8))`,
    )
    .with("finished", (db) =>
      // By primary key only: status is compared with a column of o, not a literal, which would
      // let the planner walk the PENDING partial index (dead entries too, until vacuum) instead.
      db
        .updateTable("workflow_status as w")
        .from("o")
        .set((eb) => ({
          status: eb.ref("o.status"),
          updated_at: eb.ref("o.now"),
          completed_at: eb.ref("o.now"),
          deduplication_id: sql.lit(null),
          owner_xid: sql.lit(null),
        }))
        .where((eb) =>
          eb.and([
            eb(
              "w.workflow_uuid",
              "=",
              eb.fn.any(sql<string[]>`array(${eb.selectFrom("o").select("o.workflow_uuid")})`),
            ),
            eb("w.workflow_uuid", "=", eb.ref("o.workflow_uuid")),
            eb("w.status", "=", eb.ref("o.running")),
            eb("w.owner_xid", "=", eb.ref("o.owner_xid")),
          ]),
        )
        .returning("w.workflow_uuid"),
    )
    .with("outputs", (db) =>
      db
        .insertInto("workflow_output")
        .columns(["workflow_uuid", "output", "error", "retention_timestamp"])
        .expression(
          db
            .selectFrom("o")
            .select(["o.workflow_uuid", "o.output", "o.error", "o.now"])
            .where("o.workflow_uuid", "in", db.selectFrom("finished").select("finished.workflow_uuid")),
        )
        .onConflict((oc) =>
          oc
            .column("workflow_uuid")
            .doUpdateSet((eb) => ({ output: eb.ref("excluded.output"), error: eb.ref("excluded.error") })),
        ),
    );
}

interface Batch {
  readonly checkpoints: string;
  readonly outcomes: string;
}

// A batch of only checkpoints or only outcomes gets a statement without the other half: each step
// of a lone workflow is such a batch, and every clause more is executor work on its commit's path.
// Types only: the CTE tables are named by the statement's own WITH clauses.
const withCtes = (db: Kysely<SystemSchema>) => db.withTables<GroupCommitCtes>();
const checkpointsOnly = new CompiledStatement((db, p: Batch) =>
  withCheckpoints(withCtes(db), p.checkpoints)
    .selectFrom("written")
    .select(["workflow_uuid", sql.ref<number | null>("function_id").as("function_id")]),
);
const outcomesOnly = new CompiledStatement((db, p: Batch) =>
  withOutcomes(withCtes(db), p.outcomes)
    .selectFrom("finished")
    .select(["workflow_uuid", sql.lit<number | null>(null).as("function_id")]),
);
const both = new CompiledStatement((db, p: Batch) =>
  withOutcomes(withCheckpoints(withCtes(db), p.checkpoints), p.outcomes)
    .selectFrom("written")
    .select(["workflow_uuid", sql.ref<number | null>("function_id").as("function_id")])
    .unionAll((eb) =>
      eb.selectFrom("finished").select(["workflow_uuid", sql.lit<number | null>(null).as("function_id")]),
    ),
);

/**
 * Writes checkpoints and outcomes of any number of workflows in one statement. Each is written
 * only while its workflow is PENDING and owned by the given run (a checkpoint also only if its
 * step has none yet); the result says which were.
 */
export async function writeGroupCommit(
  on: Queryable,
  checkpoints: readonly NewCheckpoint[],
  outcomes: readonly WorkflowOutcome[],
): Promise<GroupCommitResult> {
  const statement = outcomes.length === 0 ? checkpointsOnly : checkpoints.length === 0 ? outcomesOnly : both;
  const rows = await statement.execute(on, {
    checkpoints: checkpointsJson(checkpoints),
    outcomes: outcomesJson(outcomes),
  });
  const result: GroupCommitResult = { checkpoints: new Set(), outcomes: new Set() };
  for (const r of rows) {
    if (r.function_id === null) result.outcomes.add(r.workflow_uuid);
    else result.checkpoints.add(`${r.workflow_uuid}:${r.function_id}`);
  }
  return result;
}

function checkpointsJson(checkpoints: readonly NewCheckpoint[]): string {
  return JSON.stringify(
    checkpoints.map((r) => ({
      workflow_uuid: r.workflowID,
      function_id: r.stepID,
      function_name: r.name,
      output: r.output,
      error: r.error,
      child_workflow_id: r.childWorkflowID,
      started_at: r.startedAt,
      completed_at: r.completedAt,
      serialization: r.serialization,
      application_name: r.applicationName,
      owner_xid: r.ownerXid,
    })),
  );
}

function outcomesJson(outcomes: readonly WorkflowOutcome[]): string {
  return JSON.stringify(
    outcomes.map((o) => ({
      workflow_uuid: o.workflowID,
      owner_xid: o.ownerXid,
      status: o.status,
      output: o.output,
      error: o.error,
      now: o.now,
    })),
  );
}
