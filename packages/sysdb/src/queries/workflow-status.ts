// Writes and reads of one workflow's status row: start, read, outcome. Each is one statement.
import { sql, type Insertable, type InsertResult, type QueryCreator } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import { DurablyError } from "../durably-error.js";
import type { Queryable } from "../queryable.js";
import type { SystemSchema, WorkflowStatusTable } from "../tables.js";
import { writeGroupCommit } from "./group-commit.js";
import { toWorkflowRecord, type WorkflowRecord, type WorkflowStatusName } from "./workflow-record.js";
import { textArray } from "./text-array.js";
import type { TraceCarrier } from "./trace-contexts.js";
export interface NewWorkflow {
  readonly workflowID: string;
  readonly status: "PENDING" | "ENQUEUED" | "DELAYED";
  readonly name: string;
  readonly queueName: string | null;
  readonly executorID: string | null;
  readonly applicationVersion: string | null;
  /** Owner; null leaves the workflow unclaimed (any application's executors may run it). */
  readonly applicationName: string | null;
  readonly applicationID: string | null;
  readonly timeoutMs: number | null;
  readonly deadlineEpochMs: number | null;
  readonly ownerXid: string;
  readonly parentWorkflowID: string | null;
  readonly serialization: string;
  readonly inputs: string;
  readonly priority: number;
  readonly deduplicationID: string | null;
  readonly queuePartitionKey: string | null;
  readonly delayUntilEpochMs: number | null;
  /** The schedule whose tick this workflow is. */
  readonly scheduleName?: string | null;
  /** A debounced burst (DELAYED, keyed by deduplicationID): DBOS's is_debounced. */
  readonly isDebounced?: boolean;
  /** The latest a debounced burst may start (its maxWaitMs from the first enqueue). */
  readonly debounceDeadlineEpochMs?: number | null;
  readonly now: number;
  /** When a workflow starts a child: the parent's step that records the link. */
  readonly parentStep?: { readonly stepID: number } | undefined;
  /** The caller's trace context, stored in the new workflow's row (durably_traceparent, durably_tracestate). */
  readonly traceContext?: TraceCarrier | undefined;
}

/** The parameters of the start statement: the new workflow, flattened, with what it derives. */
interface Start
  extends Omit<
    NewWorkflow,
    "parentStep" | "scheduleName" | "isDebounced" | "debounceDeadlineEpochMs" | "traceContext"
  > {
  readonly scheduleName: string | null;
  readonly isDebounced: boolean;
  readonly debounceDeadlineEpochMs: number | null;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
  readonly recoveryAttempts: number;
  readonly linkStepID: number | null;
  readonly hasPartitionKey: boolean;
}

type StartCtes = {
  queue: { partition_queue: boolean };
  ins: { workflow_uuid: string };
  input: InsertResult;
  link: InsertResult;
};
type StartSchema = SystemSchema & StartCtes;

/** The start statement of one shape: enqueued or started directly, by a parent step or not, traced or not. */
function startStatement(queued: boolean, linked: boolean, traced = false) {
  return new CompiledStatement((db, w: Start) => {
    const row: Insertable<WorkflowStatusTable> = {
      workflow_uuid: w.workflowID,
      status: w.status,
      name: w.name,
      queue_name: w.queueName,
      executor_id: w.executorID,
      application_version: w.applicationVersion,
      application_name: w.applicationName,
      application_id: w.applicationID,
      workflow_timeout_ms: w.timeoutMs,
      workflow_deadline_epoch_ms: w.deadlineEpochMs,
      owner_xid: w.ownerXid,
      creator_xid: w.ownerXid,
      parent_workflow_id: w.parentWorkflowID,
      serialization: w.serialization,
      recovery_attempts: w.recoveryAttempts,
      authenticated_roles: "[]",
      priority: w.priority,
      deduplication_id: w.deduplicationID,
      queue_partition_key: w.queuePartitionKey,
      delay_until_epoch_ms: w.delayUntilEpochMs,
      schedule_name: w.scheduleName,
      is_debounced: w.isDebounced,
      debounce_deadline_epoch_ms: w.debounceDeadlineEpochMs,
      created_at: w.now,
      updated_at: w.now,
    };
    // The caller's trace context rides in the row itself; an untraced start's insert is unchanged.
    if (traced) {
      row.durably_traceparent = w.traceparent;
      row.durably_tracestate = w.tracestate;
    }
    // The CTEs of every shape, declared up front (types only) so each shape adds only its own.
    let q: QueryCreator<StartSchema> = db.withTables<StartCtes>();
    // Only an enqueue reads its queue's row (one primary-key lookup); a direct start is unchanged.
    if (queued)
      q = q.with("queue", (db) => db.selectFrom("queues").select("partition_queue").where("name", "=", w.queueName));
    q = q.with("ins", (db) => {
      const insert = db.insertInto("workflow_status");
      return (
        queued
          ? insert
              .columns(Object.keys(row) as (keyof WorkflowStatusTable & string)[])
              .expression(
                db
                  .selectNoFrom((eb) => Object.entries(row).map(([column, value]) => eb.val(value).as(column)))
                  .where((eb) =>
                    eb.not(
                      eb.exists(
                        eb
                          .selectFrom("queue")
                          .select(sql.lit(1).as("one"))
                          .where("partition_queue", "<>", w.hasPartitionKey),
                      ),
                    ),
                  ),
              )
          : insert.values(row)
      )
        .onConflict((oc) => oc.column("workflow_uuid").doNothing())
        .returning("workflow_uuid");
    });
    // A stale input row of a deleted workflow (it has no foreign key) must not block a new one.
    q = q.with("input", (db) =>
      db
        .insertInto("workflow_input")
        .columns(["workflow_uuid", "inputs", "retention_timestamp"])
        .expression(
          db
            .selectFrom("ins")
            .select((eb) => ["workflow_uuid", eb.val(w.inputs).as("inputs"), eb.val(w.now).as("now")]),
        )
        .onConflict((oc) =>
          oc.column("workflow_uuid").doUpdateSet((eb) => ({
            inputs: eb.ref("excluded.inputs"),
            retention_timestamp: eb.ref("excluded.retention_timestamp"),
          })),
        ),
    );
    // A child workflow's start also records it at its parent's step.
    if (linked) {
      q = q.with("link", (db) =>
        db
          .insertInto("operation_outputs")
          .columns([
            "workflow_uuid",
            "function_id",
            "function_name",
            "child_workflow_id",
            "started_at_epoch_ms",
            "completed_at_epoch_ms",
            "application_name",
          ])
          .expression(
            db.selectNoFrom((eb) => [
              eb.val(w.parentWorkflowID).as("workflow_uuid"),
              eb.cast<number>(eb.val(w.linkStepID), "int4").as("function_id"),
              eb.val(w.name).as("function_name"),
              eb.val(w.workflowID).as("child_workflow_id"),
              eb.val(w.now).as("started_at_epoch_ms"),
              eb.val(w.now).as("completed_at_epoch_ms"),
              eb.val(w.applicationName).as("application_name"),
            ]),
          )
          .onConflict((oc) => oc.columns(["workflow_uuid", "function_id"]).doNothing()),
      );
    }
    return q
      .selectFrom("ins")
      .select((eb) => [
        eb.fn.countAll<number>().as("inserted"),
        queued
          ? eb.selectFrom("queue").select("partition_queue").$asScalar().as("partition_queue")
          : sql.lit<boolean | null>(null).as("partition_queue"),
      ]);
  });
}
const startStatements = {
  direct: startStatement(false, false),
  directChild: startStatement(false, true),
  queued: startStatement(true, false),
  queuedChild: startStatement(true, true),
};
// Only a start that an observer traces (@durably/otel) uses these: the untraced ones stay as they are.
const tracedStartStatements = {
  direct: startStatement(false, false, true),
  directChild: startStatement(false, true, true),
  queued: startStatement(true, false, true),
  queuedChild: startStatement(true, true, true),
};

/**
 * Inserts a workflow (status row, input row and, for a child, the parent's link step) in one
 * statement. Returns null when the ID was new; otherwise the existing row, untouched. An enqueue
 * whose partition key does not fit its queue's row in dbos.queues (a key is required on a
 * partitioned queue, refused on any other) inserts nothing and throws INVALID_ARGUMENT naming partitionKey:
 * checked here, not by the caller, so a client that knows no queue settings is refused too.
 */
export async function insertWorkflow(on: Queryable, w: NewWorkflow): Promise<WorkflowRecord | null> {
  const { parentStep, scheduleName, isDebounced, debounceDeadlineEpochMs, traceContext, ...fields } = w;
  const linkStepID = parentStep?.stepID ?? null;
  const queued = w.queueName !== null;
  const shapes = traceContext === undefined ? startStatements : tracedStartStatements;
  const statement = queued
    ? linkStepID === null
      ? shapes.queued
      : shapes.queuedChild
    : linkStepID === null
      ? shapes.direct
      : shapes.directChild;
  const [row] = await statement.execute(on, {
    ...fields,
    scheduleName: scheduleName ?? null,
    isDebounced: isDebounced ?? false,
    debounceDeadlineEpochMs: debounceDeadlineEpochMs ?? null,
    traceparent: traceContext?.traceparent ?? null,
    tracestate: traceContext?.tracestate ?? null,
    recoveryAttempts: w.status === "PENDING" ? 1 : 0,
    linkStepID,
    hasPartitionKey: w.queuePartitionKey !== null,
  });
  if (row?.inserted === 1) return null;
  if (w.queueName !== null && row?.partition_queue === (w.queuePartitionKey === null)) {
    throw partitionKeyMismatch(w.queueName, row.partition_queue, w.workflowID);
  }
  const existing = await getWorkflow(on, w.workflowID);
  if (existing === undefined) {
    // Neither inserted nor there: the row was deleted between the two statements. Never report
    // that as a new workflow: let the caller retry.
    const message = `Workflow ${w.workflowID} was neither inserted nor found; retrying the start.`;
    throw new DurablyError("CONCURRENT_DELETE", message, { workflowID: w.workflowID });
  }
  return existing;
}

/** Reads one workflow's status row, with its input, output and error texts. */
// Compiled once: every getResult poll and wake reads the row (building the query each time cost
// ~50-250 µs of CPU, on the path from the outcome's notification to the result in hand).
const readWorkflow = new CompiledStatement((db, p: { workflowID: string }) =>
  db
    .selectFrom("workflow_status as w")
    .leftJoin("workflow_input as i", "i.workflow_uuid", "w.workflow_uuid")
    .leftJoin("workflow_output as o", "o.workflow_uuid", "w.workflow_uuid")
    .selectAll("w")
    .select((eb) => [
      eb.fn.coalesce("i.inputs", "w.inputs").as("inputs"),
      eb.fn.coalesce("o.output", "w.output").as("output"),
      eb.fn.coalesce("o.error", "w.error").as("error"),
    ])
    .where("w.workflow_uuid", "=", p.workflowID),
);

export async function getWorkflow(on: Queryable, workflowID: string): Promise<WorkflowRecord | undefined> {
  const [row] = await readWorkflow.execute(on, { workflowID });
  return row === undefined ? undefined : toWorkflowRecord(row);
}

export interface WorkflowOutcome {
  readonly workflowID: string;
  readonly ownerXid: string;
  readonly status: "SUCCESS" | "ERROR";
  readonly output: string | null;
  readonly error: string | null;
  readonly now: number;
}

/**
 * Records a workflow's outcome, only while the row is PENDING and owned by this run. Returns
 * false when the run lost the row (cancelled, resumed, dead-lettered or re-owned meanwhile).
 * It is the group commit's outcome statement with a batch of one.
 */
export async function recordWorkflowOutcome(on: Queryable, o: WorkflowOutcome): Promise<boolean> {
  const written = await writeGroupCommit(on, [], [o]);
  return written.outcomes.has(o.workflowID);
}

/** Reads the status names of several workflows at once (for the cancellation sweep). */
export async function getStatuses(
  on: Queryable,
  workflowIDs: readonly string[],
): Promise<Map<string, { status: WorkflowStatusName | null; ownerXid: string | null }>> {
  const rows = await on.db
    .selectFrom("workflow_status")
    .select(["workflow_uuid", "status", "owner_xid"])
    .where("workflow_uuid", "=", (eb) => eb.fn.any(textArray(workflowIDs)))
    .execute();
  return new Map(rows.map((r) => [r.workflow_uuid, { status: r.status, ownerXid: r.owner_xid }]));
}

/** The workflow that holds a deduplication ID on a queue, if any (it is cleared on completion). */
export async function findByDeduplicationID(
  on: Queryable,
  queueName: string,
  deduplicationID: string,
): Promise<string | undefined> {
  const row = await on.db
    .selectFrom("workflow_status")
    .select("workflow_uuid")
    .where("queue_name", "=", queueName)
    .where("deduplication_id", "=", deduplicationID)
    .executeTakeFirst();
  return row?.workflow_uuid;
}

/** The INVALID_ARGUMENT of an enqueue whose partition key does not fit its queue. */
export function partitionKeyMismatch(queueName: string, partitioned: boolean, workflowID?: string): DurablyError {
  return new DurablyError(
    "INVALID_ARGUMENT",
    partitioned
      ? `Queue ${queueName} is partitioned (partitionQueue: true): an enqueue on it needs a partitionKey, ` +
          `e.g. { queue: ${JSON.stringify(queueName)}, partitionKey: "customer-42" }; without one it would never run.`
      : `Queue ${queueName} is not partitioned: drop partitionKey, ` +
          "or register the queue with { partitionQueue: true }.",
    {
      ...(workflowID === undefined ? {} : { workflowID }),
      details: { option: "partitionKey", queueName, partitioned },
    },
  );
}
