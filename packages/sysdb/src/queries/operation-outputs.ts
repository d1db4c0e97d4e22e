// Step checkpoints (operation_outputs): load a workflow's history once, explain a refused write.
// Writing them, many at once, is group-commit.ts.
import type { SystemDatabase } from "../system-database.js";
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
}

export interface NewCheckpoint extends Checkpoint {
  /** The run that must still own the workflow for the write to happen. */
  readonly ownerXid: string;
  readonly applicationName: string | null;
}

/** Every checkpoint of a workflow, by step ID: read once when a run replays. */
export async function loadCheckpoints(sysdb: SystemDatabase, workflowID: string): Promise<Map<number, Checkpoint>> {
  const { sql } = sysdb;
  const rows = await sql`
    select function_id, function_name, output, error, child_workflow_id, serialization,
           started_at_epoch_ms, completed_at_epoch_ms
    from ${sql(sysdb.schema)}.operation_outputs where workflow_uuid = ${workflowID}`;
  return new Map(rows.map((r) => [r.function_id as number, toCheckpoint(workflowID, r)]));
}

/** A workflow's checkpoints in step order, for inspection tools. */
export async function listCheckpoints(sysdb: SystemDatabase, workflowID: string): Promise<Checkpoint[]> {
  const { sql } = sysdb;
  const rows = await sql`
    select function_id, function_name, output, error, child_workflow_id, serialization,
           started_at_epoch_ms, completed_at_epoch_ms
    from ${sql(sysdb.schema)}.operation_outputs where workflow_uuid = ${workflowID}
    order by function_id`;
  return rows.map((r) => toCheckpoint(workflowID, r));
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
  sysdb: SystemDatabase,
  workflowID: string,
  stepID: number,
): Promise<CheckpointRefusal> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const [row] = await sql`
    select w.status, w.owner_xid, o.function_id, o.function_name, o.output, o.error, o.child_workflow_id,
           o.serialization, o.started_at_epoch_ms, o.completed_at_epoch_ms
    from (select ${workflowID}::text as id) k
    left join ${s}.workflow_status w on w.workflow_uuid = k.id
    left join ${s}.operation_outputs o on o.workflow_uuid = k.id and o.function_id = ${stepID}`;
  return {
    status: row?.status ?? undefined,
    ownerXid: row?.owner_xid ?? null,
    existing: row?.function_id === null || row === undefined ? undefined : toCheckpoint(workflowID, row),
  };
}

function toCheckpoint(workflowID: string, r: Record<string, unknown>): Checkpoint {
  return {
    workflowID,
    stepID: r.function_id as number,
    name: r.function_name as string,
    output: (r.output as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    childWorkflowID: (r.child_workflow_id as string | null) ?? null,
    serialization: (r.serialization as string | null) ?? null,
    startedAt: r.started_at_epoch_ms === null ? null : Number(r.started_at_epoch_ms),
    completedAt: r.completed_at_epoch_ms === null ? null : Number(r.completed_at_epoch_ms),
  };
}
