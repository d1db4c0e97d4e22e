// The camelCase view of a workflow_status row (plus its input/output side rows) handed out of sysdb.
import type { Selectable } from "kysely";
import type { WorkflowStatusTable } from "../tables.js";
import type { TraceCarrier } from "./trace-contexts.js";
import type { WorkflowStatusName } from "./workflow-status-name.js";

export type { WorkflowStatusName } from "./workflow-status-name.js";

/** Statuses after which a workflow never runs again (unless resumed or forked). */
export const terminalStatuses: readonly WorkflowStatusName[] = [
  "SUCCESS",
  "ERROR",
  "CANCELLED",
  "MAX_RECOVERY_ATTEMPTS_EXCEEDED",
];

/** The internal queue that resume, fork and DBOS's recovery put workflows on. */
export const internalQueueName = "_dbos_internal_queue";

export interface WorkflowRecord {
  readonly workflowID: string;
  readonly status: WorkflowStatusName;
  readonly name: string | null;
  readonly className: string | null;
  readonly configName: string | null;
  readonly queueName: string | null;
  readonly executorID: string | null;
  readonly applicationVersion: string | null;
  readonly applicationName: string | null;
  readonly applicationID: string | null;
  readonly authenticatedUser: string | null;
  readonly assumedRole: string | null;
  readonly authenticatedRoles: string | null;
  readonly recoveryAttempts: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly startedAt: number | null;
  readonly completedAt: number | null;
  readonly timeoutMs: number | null;
  readonly deadlineEpochMs: number | null;
  readonly deduplicationID: string | null;
  readonly priority: number;
  readonly queuePartitionKey: string | null;
  readonly forkedFrom: string | null;
  readonly wasForkedFrom: boolean;
  readonly parentWorkflowID: string | null;
  readonly ownerXid: string | null;
  /** Format of the input, output and error texts; NULL on rows of old SDKs. */
  readonly serialization: string | null;
  readonly delayUntilEpochMs: number | null;
  readonly attributes: unknown;
  readonly scheduleName: string | null;
  /** Encoded texts, present when the query loaded them. */
  readonly inputs?: string | null;
  readonly output?: string | null;
  readonly error?: string | null;
  /**
   * Whether the workflow has any step checkpoint, present when a dequeue loaded it (a workflow that
   * never ran has no history to replay).
   */
  readonly hasCheckpoints?: boolean;
  /**
   * The trace context stored with the workflow at its start, present when the query selected the
   * whole row (the claims do): null when its start was not traced.
   */
  readonly traceContext?: TraceCarrier | null;
}

/** The workflow_status columns a {@link WorkflowRecord} is made of (the payload texts aside). */
export const workflowRecordColumns = [
  "workflow_uuid",
  "status",
  "name",
  "class_name",
  "config_name",
  "queue_name",
  "executor_id",
  "application_version",
  "application_name",
  "application_id",
  "authenticated_user",
  "assumed_role",
  "authenticated_roles",
  "recovery_attempts",
  "created_at",
  "updated_at",
  "started_at_epoch_ms",
  "completed_at",
  "workflow_timeout_ms",
  "workflow_deadline_epoch_ms",
  "deduplication_id",
  "priority",
  "queue_partition_key",
  "forked_from",
  "was_forked_from",
  "parent_workflow_id",
  "owner_xid",
  "serialization",
  "delay_until_epoch_ms",
  "attributes",
  "schedule_name",
] as const satisfies readonly (keyof WorkflowStatusTable)[];

type PayloadColumn = "inputs" | "output" | "error";
type TraceColumn = "durably_traceparent" | "durably_tracestate";

/**
 * A workflow_status row as the queries select it: the {@link workflowRecordColumns} (a query may
 * select more), the payload texts only when the query loaded them, and whether it has checkpoints
 * when a dequeue asked.
 */
export type WorkflowRow = Pick<Selectable<WorkflowStatusTable>, (typeof workflowRecordColumns)[number]> &
  Partial<Pick<Selectable<WorkflowStatusTable>, PayloadColumn | TraceColumn>> & { readonly has_checkpoints?: boolean };

/** Maps a snake_case row to a {@link WorkflowRecord}. */
export function toWorkflowRecord(row: WorkflowRow): WorkflowRecord {
  return {
    workflowID: row.workflow_uuid,
    // DBOS always writes a status; null never occurs in a row a workflow was started with.
    status: row.status ?? "PENDING",
    name: row.name,
    className: row.class_name,
    configName: row.config_name,
    queueName: row.queue_name,
    executorID: row.executor_id,
    applicationVersion: row.application_version,
    applicationName: row.application_name,
    applicationID: row.application_id,
    authenticatedUser: row.authenticated_user,
    assumedRole: row.assumed_role,
    authenticatedRoles: row.authenticated_roles,
    recoveryAttempts: row.recovery_attempts ?? 0,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at_epoch_ms,
    completedAt: row.completed_at,
    timeoutMs: row.workflow_timeout_ms,
    deadlineEpochMs: row.workflow_deadline_epoch_ms,
    deduplicationID: row.deduplication_id,
    priority: row.priority,
    queuePartitionKey: row.queue_partition_key,
    forkedFrom: row.forked_from,
    wasForkedFrom: row.was_forked_from,
    parentWorkflowID: row.parent_workflow_id,
    ownerXid: row.owner_xid,
    serialization: row.serialization,
    delayUntilEpochMs: row.delay_until_epoch_ms,
    attributes: row.attributes ?? null,
    scheduleName: row.schedule_name,
    ...(row.inputs === undefined ? {} : { inputs: row.inputs }),
    ...(row.output === undefined ? {} : { output: row.output }),
    ...(row.error === undefined ? {} : { error: row.error }),
    ...(row.has_checkpoints === undefined ? {} : { hasCheckpoints: row.has_checkpoints }),
    ...(row.durably_traceparent === undefined
      ? {}
      : {
          traceContext:
            row.durably_traceparent === null
              ? null
              : { traceparent: row.durably_traceparent, tracestate: row.durably_tracestate ?? null },
        }),
  };
}
