// Streams (dbos.streams): ordered values per (workflow, key), each append written together with
// its step's checkpoint; a close marker ends the stream.
import type { SystemDatabase } from "../system-database.js";
import { stepIsFree, type StepKey } from "./step-fence.js";

/** Channel durably NOTIFYs after a stream write, with payload `workflowID::key`. */
export const streamsChannel = "dbos_streams_channel";
/** The value that closes a stream, stored as portable_json (as DBOS stores it). */
export const streamClosedMarker = JSON.stringify("__DBOS_STREAM_CLOSED__");

export type AppendResult = { readonly kind: "appended"; readonly offset: number } | { readonly kind: "closed" } | { readonly kind: "refused" };

/**
 * Appends a value at the next offset and checkpoints the step, in one statement. Nothing is
 * written when the stream is already closed. A concurrent append to the same stream can raise a
 * unique violation (23505): retry it.
 */
export async function appendToStream(
  sysdb: SystemDatabase,
  key: StepKey,
  stepName: string,
  streamKey: string,
  value: string,
  serialization: string,
): Promise<AppendResult> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const [row] = await sql`
    with closed as (
      select 1 from ${s}.streams
      where workflow_uuid = ${key.workflowID} and key = ${streamKey} and value = ${streamClosedMarker}
      limit 1
    ), cp as (
      insert into ${s}.operation_outputs (workflow_uuid, function_id, function_name, serialization,
        started_at_epoch_ms, completed_at_epoch_ms, application_name)
      select ${key.workflowID}, ${key.stepID}, ${stepName}, ${serialization}, ${key.startedAt}, ${key.now}, ${key.applicationName}
      where not exists (select 1 from closed) and ${stepIsFree(sql, sysdb.schema, key)}
      on conflict do nothing
      returning function_id
    ), appended as (
      insert into ${s}.streams (workflow_uuid, key, value, "offset", function_id, serialization)
      select ${key.workflowID}, ${streamKey}, ${value},
             coalesce((select max("offset") from ${s}.streams where workflow_uuid = ${key.workflowID} and key = ${streamKey}), -1) + 1,
             ${key.stepID}, ${serialization}
      from cp
      returning "offset"
    )
    select (select count(*)::int from closed) as closed, (select "offset" from appended) as "offset"`;
  if (row?.closed === 1) return { kind: "closed" };
  if (row?.offset === null || row?.offset === undefined) return { kind: "refused" };
  return { kind: "appended", offset: Number(row.offset) };
}

export interface StreamEntry {
  readonly offset: number;
  readonly value: string;
  readonly serialization: string | null;
}

/** Up to `limit` entries from `fromOffset` on, in order (the close marker included, if reached). */
export async function readStreamEntries(
  sysdb: SystemDatabase,
  workflowID: string,
  streamKey: string,
  fromOffset: number,
  limit: number,
): Promise<StreamEntry[]> {
  const { sql } = sysdb;
  const rows = await sql`
    select "offset", value, serialization from ${sql(sysdb.schema)}.streams
    where workflow_uuid = ${workflowID} and key = ${streamKey} and "offset" >= ${fromOffset}
    order by "offset"
    limit ${limit}`;
  return rows.map((r) => ({ offset: Number(r.offset), value: r.value as string, serialization: (r.serialization as string | null) ?? null }));
}
