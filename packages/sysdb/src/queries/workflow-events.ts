// Workflow events (dbos.workflow_events, plus workflow_events_history per step for fork): the
// latest value per key, written together with the setting step's checkpoint.
import { classifyError } from "../sqlstate.js";
import type { SystemDatabase } from "../system-database.js";
import { runOwnsWorkflow, stepIsFree, type StepKey } from "./step-fence.js";

/** Channel durably NOTIFYs after an event is set, with payload `workflowID::key`. */
export const eventsChannel = "dbos_workflow_events_channel";

/**
 * Sets an event and checkpoints the step in one statement; false if the step fence refused (the
 * run no longer owns the workflow, or the step is already recorded), and then nothing is written.
 * The checkpoint is a plain INSERT: it runs on every setEvent, a reader may be waiting on it, and
 * a step already taken raises 23505 for less executor work than ON CONFLICT costs.
 */
export async function setWorkflowEvent(
  sysdb: SystemDatabase,
  key: StepKey,
  stepName: string,
  eventKey: string,
  value: string,
  serialization: string,
): Promise<boolean> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  try {
    // The value is bound once: the history row copies it from the event row.
    const rows = await sql`
      with cp as (
        insert into ${s}.operation_outputs (workflow_uuid, function_id, function_name, serialization,
          started_at_epoch_ms, completed_at_epoch_ms, application_name)
        select ${key.workflowID}::text, ${key.stepID}::int, ${stepName}::text, ${serialization}::text,
               ${key.startedAt}::bigint, ${key.now}::bigint, ${key.applicationName}::text
        where ${runOwnsWorkflow(sql, sysdb.schema, key)}
        returning workflow_uuid, function_id, serialization
      ), ev as (
        insert into ${s}.workflow_events (workflow_uuid, key, value, serialization)
        select cp.workflow_uuid, ${eventKey}::text, ${value}::text, cp.serialization from cp
        on conflict (workflow_uuid, key) do update set value = excluded.value, serialization = excluded.serialization
        returning key, value
      )
      insert into ${s}.workflow_events_history (workflow_uuid, function_id, key, value, serialization)
      select cp.workflow_uuid, cp.function_id, ev.key, ev.value, cp.serialization from cp, ev
      on conflict (workflow_uuid, function_id, key) do update set value = excluded.value, serialization = excluded.serialization
      returning 1`;
    return rows.length === 1;
  } catch (error) {
    if (classifyError(error) === "unique_violation") return false;
    throw error;
  }
}

export interface EventValue {
  readonly value: string;
  readonly serialization: string | null;
}

/** Reads an event's current value. */
export async function getWorkflowEvent(sysdb: SystemDatabase, workflowID: string, eventKey: string): Promise<EventValue | undefined> {
  const { sql } = sysdb;
  const [row] = await sql`
    select value, serialization from ${sql(sysdb.schema)}.workflow_events
    where workflow_uuid = ${workflowID} and key = ${eventKey}`;
  return row === undefined ? undefined : { value: row.value as string, serialization: (row.serialization as string | null) ?? null };
}

export type ReadEventResult = { readonly kind: "empty" } | { readonly kind: "refused" } | ({ readonly kind: "found" } & EventValue);

/** Reads an event and checkpoints what was read (inside a workflow), in one statement. */
export async function readWorkflowEventAsStep(
  sysdb: SystemDatabase,
  key: StepKey,
  stepName: string,
  targetID: string,
  eventKey: string,
): Promise<ReadEventResult> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  const [row] = await sql`
    with ev as (
      select value, serialization from ${s}.workflow_events where workflow_uuid = ${targetID} and key = ${eventKey}
    ), cp as (
      insert into ${s}.operation_outputs (workflow_uuid, function_id, function_name, output, serialization,
        started_at_epoch_ms, completed_at_epoch_ms, application_name)
      select ${key.workflowID}, ${key.stepID}, ${stepName}, ev.value, ev.serialization, ${key.startedAt}, ${key.now}, ${key.applicationName}
      from ev where ${stepIsFree(sql, sysdb.schema, key)}
      on conflict do nothing
      returning function_id
    )
    select (select count(*)::int from ev) as available, (select count(*)::int from cp) as recorded,
           (select value from ev) as value, (select serialization from ev) as serialization`;
  if (row?.available === 0) return { kind: "empty" };
  if (row?.recorded !== 1) return { kind: "refused" };
  return { kind: "found", value: row.value as string, serialization: (row.serialization as string | null) ?? null };
}
