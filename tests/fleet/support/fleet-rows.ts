// What the fleet tests read from the system database: leases by process, and who owns what.
import type { Sql } from "postgres";

export interface OwnedRow {
  readonly id: string;
  readonly status: string;
  readonly executorID: string | null;
  /** The lease named by the owner token (the part before the dot), or null. */
  readonly leaseID: string | null;
  readonly queueName: string | null;
  readonly recoveryAttempts: number;
  /** updated_at: a claim sets it to the claiming process's clock. */
  readonly updatedAt: number;
  /** Checkpoint names recorded so far. */
  readonly checkpoints: string[];
}

/** The live lease of the process with this PID, if any. */
export async function liveLeaseOf(sql: Sql, pid: number): Promise<string | undefined> {
  const [row] = await sql`select lease_id from dbos.durably_executor_leases where pid = ${pid} and ended_at is null`;
  return row?.lease_id as string | undefined;
}

/** Every lease the process with this PID held, oldest first. */
export async function leasesOf(sql: Sql, pid: number): Promise<Array<{ leaseID: string; endedReason: string | null }>> {
  const rows = await sql`
    select lease_id, ended_reason from dbos.durably_executor_leases where pid = ${pid} order by started_at`;
  return rows.map((r) => ({ leaseID: r.lease_id as string, endedReason: r.ended_reason as string | null }));
}

/** The status rows of these workflows, with their checkpoint names. */
export async function ownedRows(sql: Sql, ids: readonly string[]): Promise<OwnedRow[]> {
  const rows = await sql`
    select w.workflow_uuid, w.status, w.executor_id, w.queue_name, w.recovery_attempts, w.updated_at,
           nullif(split_part(w.owner_xid, '.', 1), '') as lease_id,
           coalesce((select array_agg(o.function_name order by o.function_id) from dbos.operation_outputs o
                     where o.workflow_uuid = w.workflow_uuid), '{}') as checkpoints
    from dbos.workflow_status w where w.workflow_uuid = any(${ids as string[]}) order by w.workflow_uuid`;
  return rows.map((r) => ({
    id: r.workflow_uuid as string,
    status: r.status as string,
    executorID: r.executor_id as string | null,
    leaseID: r.status === "PENDING" ? (r.lease_id as string | null) : null,
    queueName: r.queue_name as string | null,
    recoveryAttempts: Number(r.recovery_attempts),
    updatedAt: Number(r.updated_at),
    checkpoints: r.checkpoints as string[],
  }));
}

/** Counts rows by a key, for assertions and failure reports. */
export function countBy<T>(items: readonly T[], key: (item: T) => string | null): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[String(key(item))] = (counts[String(key(item))] ?? 0) + 1;
  return counts;
}

/** Each workflow's step 0 output (the nonce its gate opens with). */
export async function firstStepOutputs(
  sql: Sql,
  ids: readonly string[],
): Promise<Array<{ to: string; message: string }>> {
  const rows = await sql`
    select workflow_uuid, output from dbos.operation_outputs
    where function_name = 's0' and workflow_uuid = any(${ids as string[]})`;
  return rows.map((r) => ({ to: r.workflow_uuid as string, message: JSON.parse(r.output as string) as string }));
}

/** "status@executor" (or "status@lease") counts of these workflows: the state a failed wait reports. */
export async function tally(
  sql: Sql,
  ids: readonly string[],
  by: "executor" | "lease",
): Promise<Record<string, number>> {
  return countBy(await ownedRows(sql, ids), (r) => `${r.status}@${by === "executor" ? r.executorID : r.leaseID}`);
}
