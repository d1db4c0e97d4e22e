// Step checkpoints (operation_outputs): load a workflow's history once (large payloads one step at
// a time, when the replay reaches them), explain a refused write.
// Writing them, many at once, is group-commit.ts.
import type { Selectable } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";
import type { OperationOutputsTable } from "../tables.js";
import type { WorkflowStatusName } from "./workflow-record.js";

export interface Checkpoint {
  readonly workflowID: string;
  readonly stepID: number;
  readonly name: string;
  readonly output: string | null;
  readonly error: string | null;
  readonly childWorkflowID: string | null;
  readonly serialization: string | null;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  /** True when output and error were left out of a replay load for their size: read them with loadCheckpointPayload. */
  readonly payloadDeferred?: boolean;
}

export interface NewCheckpoint extends Checkpoint {
  /** The run that must still own the workflow for the write to happen. */
  readonly ownerXid: string;
  readonly applicationName: string | null;
}

const checkpointColumns = [
  "function_id",
  "function_name",
  "output",
  "error",
  "child_workflow_id",
  "serialization",
  "started_at_epoch_ms",
  "completed_at_epoch_ms",
] as const;

/**
 * Output and error up to this size (UTF-8 bytes) come with a replay's one load; larger ones are read
 * when the replay reaches their step, so a history of many large values is never in memory at once.
 * octet_length reads a TOASTed value's size from its header, without fetching the value.
 */
export const inlinePayloadBytes = 256 * 1024;

const loadAll = new CompiledStatement((db, p: { workflowID: string }) =>
  db
    .selectFrom("operation_outputs")
    .select((eb) => {
      const small = (column: "output" | "error") =>
        eb.or([eb(column, "is", null), eb(eb.fn<number>("octet_length", [column]), "<=", inlinePayloadBytes)]);
      return [
        "function_id",
        "function_name",
        eb.case().when(small("output")).then(eb.ref("output")).else(null).end().as("output"),
        eb.case().when(small("error")).then(eb.ref("error")).else(null).end().as("error"),
        eb.not(eb.and([small("output"), small("error")])).as("deferred"),
        "child_workflow_id",
        "serialization",
        "started_at_epoch_ms",
        "completed_at_epoch_ms",
      ];
    })
    .where("workflow_uuid", "=", p.workflowID),
);

/**
 * Every checkpoint of a workflow, by step ID: read once when a run replays. Payloads over
 * {@link inlinePayloadBytes} are left out (`payloadDeferred`); {@link loadCheckpointPayload} reads one.
 */
export async function loadCheckpoints(on: Queryable, workflowID: string): Promise<Map<number, Checkpoint>> {
  const rows = await loadAll.execute(on, { workflowID });
  return new Map(
    rows.map((r) => {
      const checkpoint = toCheckpoint(workflowID, r);
      return [r.function_id, r.deferred ? { ...checkpoint, payloadDeferred: true } : checkpoint];
    }),
  );
}

const loadPayload = new CompiledStatement((db, p: { workflowID: string; stepID: number }) =>
  db
    .selectFrom("operation_outputs")
    .select(["output", "error", "serialization"])
    .where("workflow_uuid", "=", p.workflowID)
    .where("function_id", "=", p.stepID),
);

/**
 * The output and error of one step (whose replay load deferred them, or that a dashboard opens), with
 * their serialization; undefined if the row is gone.
 */
export async function loadCheckpointPayload(
  on: Queryable,
  workflowID: string,
  stepID: number,
): Promise<
  { readonly output: string | null; readonly error: string | null; readonly serialization: string | null } | undefined
> {
  const [row] = await loadPayload.execute(on, { workflowID, stepID });
  return row;
}

/**
 * A workflow's checkpoints in step order, for inspection tools. With `payloads: false`, output
 * and error are left out (null, `payloadDeferred`); `failed` says which steps recorded an error.
 */
export async function listCheckpoints(
  on: Queryable,
  workflowID: string,
  options: { readonly payloads?: boolean } = {},
): Promise<Array<Checkpoint & { readonly failed: boolean }>> {
  const payloads = options.payloads ?? true;
  const rows = await on.db
    .selectFrom("operation_outputs")
    .select((eb) => [
      "function_id",
      "function_name",
      payloads ? eb.ref("output").as("output") : eb.cast<string | null>(eb.val(null), "text").as("output"),
      payloads ? eb.ref("error").as("error") : eb.cast<string | null>(eb.val(null), "text").as("error"),
      eb("error", "is not", null).as("failed"),
      "child_workflow_id",
      "serialization",
      "started_at_epoch_ms",
      "completed_at_epoch_ms",
    ])
    .where("workflow_uuid", "=", workflowID)
    .orderBy("function_id")
    .execute();
  return rows.map((r) => ({
    ...toCheckpoint(workflowID, r),
    ...(payloads ? {} : { payloadDeferred: true }),
    failed: r.failed === true,
  }));
}

export interface CheckpointRefusal {
  /** The workflow's status now, or undefined if the row is gone. */
  readonly status: WorkflowStatusName | undefined;
  readonly ownerXid: string | null;
  /** The checkpoint already recorded at that step, if any. */
  readonly existing: Checkpoint | undefined;
}

/** Explains why a checkpoint was not written: the workflow's state and the step's existing row. */
export async function explainCheckpointRefusal(
  on: Queryable,
  workflowID: string,
  stepID: number,
): Promise<CheckpointRefusal> {
  const row = await on.db
    .selectFrom(on.db.selectNoFrom((eb) => eb.cast<string>(eb.val(workflowID), "text").as("id")).as("k"))
    .leftJoin("workflow_status as w", "w.workflow_uuid", "k.id")
    .leftJoin("operation_outputs as o", (join) =>
      join.onRef("o.workflow_uuid", "=", "k.id").on("o.function_id", "=", stepID),
    )
    .select(["w.status", "w.owner_xid", ...checkpointColumns.map((column) => `o.${column}` as const)])
    .executeTakeFirst();
  return {
    status: row?.status ?? undefined,
    ownerXid: row?.owner_xid ?? null,
    existing:
      row?.function_id == null || row.function_name === null
        ? undefined
        : toCheckpoint(workflowID, { ...row, function_id: row.function_id, function_name: row.function_name }),
  };
}

type CheckpointRow = Pick<Selectable<OperationOutputsTable>, (typeof checkpointColumns)[number]>;

function toCheckpoint(workflowID: string, r: CheckpointRow): Checkpoint {
  return {
    workflowID,
    stepID: r.function_id,
    name: r.function_name,
    output: r.output,
    error: r.error,
    childWorkflowID: r.child_workflow_id,
    serialization: r.serialization,
    startedAt: r.started_at_epoch_ms,
    completedAt: r.completed_at_epoch_ms,
  };
}
