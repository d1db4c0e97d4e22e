// Forking: a new workflow that replays the original's first steps and re-executes from a chosen one.
import { newOwnerToken } from "../short-id.js";
import type { SystemDatabase } from "../system-database.js";
import { internalQueueName } from "./workflow-record.js";
import { enqueuedChannel } from "./resume-workflows.js";
import { partitionKeyMismatch } from "./workflow-status.js";

export interface ForkRequest {
  readonly originalID: string;
  readonly forkedID: string;
  /** Steps with a smaller ID are copied and replayed; this one and later ones run again. */
  readonly startStep: number;
  readonly applicationVersion: string | null;
  readonly queueName?: string | undefined;
  /** Required on a partitioned queue, refused on any other (checked against dbos.queues). */
  readonly partitionKey?: string | null;
  readonly now: number;
}

/**
 * In one transaction: inserts the fork ENQUEUED (on the internal queue unless told otherwise),
 * copies its input and the checkpoints, events and stream entries written before `startStep`,
 * and marks the original `was_forked_from`. A fork of a schedule's tick keeps its schedule_name,
 * which is what makes its stored arguments read as the tick's input. Returns false if the original
 * does not exist. Throws INVALID_ARGUMENT (inserting nothing) when the partition key does not fit the queue.
 */
export async function forkWorkflow(sysdb: SystemDatabase, f: ForkRequest): Promise<boolean> {
  const queue = f.queueName ?? internalQueueName;
  return (await sysdb.sql.begin(async (sql) => {
    const s = sql(sysdb.schema);
    const partitionKey = f.partitionKey ?? null;
    // owner_xid and creator_xid are owner tokens, compared and never parsed by DBOS: nanoid (short-id.ts).
    const [inserted] = await sql`
      with queue as (select partition_queue from ${s}.queues where name = ${queue}), ins as (
      insert into ${s}.workflow_status (
        workflow_uuid, status, name, class_name, config_name, queue_name, application_version,
        application_id, application_name, authenticated_user, assumed_role, authenticated_roles,
        serialization, attributes, forked_from, recovery_attempts, priority, created_at, updated_at,
        workflow_timeout_ms, owner_xid, creator_xid, schedule_name, queue_partition_key)
      select ${f.forkedID}, 'ENQUEUED', name, class_name, config_name, ${queue},
             coalesce(${f.applicationVersion}::text, application_version), application_id, application_name,
             authenticated_user, assumed_role, authenticated_roles, serialization, attributes,
             workflow_uuid, 0, 0, ${f.now}, ${f.now}, workflow_timeout_ms, ${newOwnerToken()}::text,
             ${newOwnerToken()}::text, schedule_name, ${partitionKey}::text
      from ${s}.workflow_status
      where workflow_uuid = ${f.originalID}
        and not exists (select 1 from queue where partition_queue <> ${partitionKey !== null})
      returning workflow_uuid)
      select (select count(*)::int from ins) as inserted, (select partition_queue from queue) as partition_queue`;
    if (inserted?.inserted !== 1) {
      if (inserted?.partition_queue === (partitionKey === null))
        throw partitionKeyMismatch(queue, inserted.partition_queue as boolean);
      return false;
    }
    await sql`
      insert into ${s}.workflow_input (workflow_uuid, inputs, retention_timestamp)
      select ${f.forkedID}, coalesce(i.inputs, w.inputs), ${f.now}
      from ${s}.workflow_status w left join ${s}.workflow_input i on i.workflow_uuid = w.workflow_uuid
      where w.workflow_uuid = ${f.originalID}`;
    if (f.startStep > 0) {
      await sql`
        insert into ${s}.operation_outputs (workflow_uuid, function_id, function_name, output, error,
          child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name)
        select ${f.forkedID}, function_id, function_name, output, error, child_workflow_id,
               started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name
        from ${s}.operation_outputs where workflow_uuid = ${f.originalID} and function_id < ${f.startStep}`;
      await sql`
        insert into ${s}.workflow_events_history (workflow_uuid, function_id, key, value, serialization)
        select ${f.forkedID}, function_id, key, value, serialization
        from ${s}.workflow_events_history where workflow_uuid = ${f.originalID} and function_id < ${f.startStep}`;
      await sql`
        insert into ${s}.workflow_events (workflow_uuid, key, value, serialization)
        select distinct on (key) ${f.forkedID}, key, value, serialization
        from ${s}.workflow_events_history where workflow_uuid = ${f.forkedID}
        order by key, function_id desc`;
      await sql`
        insert into ${s}.streams (workflow_uuid, key, value, "offset", function_id, serialization)
        select ${f.forkedID}, key, value, "offset", function_id, serialization
        from ${s}.streams where workflow_uuid = ${f.originalID} and function_id < ${f.startStep}`;
    }
    await sql`update ${s}.workflow_status set was_forked_from = true where workflow_uuid = ${f.originalID}`;
    await sql`select pg_notify(${enqueuedChannel}, ${queue})`;
    return true;
  })) as boolean;
}
