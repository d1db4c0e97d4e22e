// The camelCase view of a workflow_status row (plus its input/output side rows) handed out of sysdb.

/** Status strings shared with DBOS. */
export type WorkflowStatusName =
  | "PENDING"
  | "ENQUEUED"
  | "DELAYED"
  | "SUCCESS"
  | "ERROR"
  | "CANCELLED"
  | "MAX_RECOVERY_ATTEMPTS_EXCEEDED";

/** Statuses after which a workflow never runs again (unless resumed or forked). */
export const terminalStatuses: readonly WorkflowStatusName[] = ["SUCCESS", "ERROR", "CANCELLED", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"];

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
  /** Whether the workflow has any step checkpoint, present when a dequeue loaded it (a workflow that never ran has no history to replay). */
  readonly hasCheckpoints?: boolean;
}

/** Maps a snake_case row (any subset of columns) to a {@link WorkflowRecord}. */
export function toWorkflowRecord(row: Record<string, unknown>): WorkflowRecord {
  const record: Record<string, unknown> = {
    workflowID: row.workflow_uuid,
    status: row.status,
    name: row.name ?? null,
    className: row.class_name ?? null,
    configName: row.config_name ?? null,
    queueName: row.queue_name ?? null,
    executorID: row.executor_id ?? null,
    applicationVersion: row.application_version ?? null,
    applicationName: row.application_name ?? null,
    applicationID: row.application_id ?? null,
    authenticatedUser: row.authenticated_user ?? null,
    assumedRole: row.assumed_role ?? null,
    authenticatedRoles: row.authenticated_roles ?? null,
    recoveryAttempts: Number(row.recovery_attempts ?? 0),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    startedAt: numberOrNull(row.started_at_epoch_ms),
    completedAt: numberOrNull(row.completed_at),
    timeoutMs: numberOrNull(row.workflow_timeout_ms),
    deadlineEpochMs: numberOrNull(row.workflow_deadline_epoch_ms),
    deduplicationID: row.deduplication_id ?? null,
    priority: Number(row.priority ?? 0),
    queuePartitionKey: row.queue_partition_key ?? null,
    forkedFrom: row.forked_from ?? null,
    wasForkedFrom: Boolean(row.was_forked_from),
    parentWorkflowID: row.parent_workflow_id ?? null,
    ownerXid: row.owner_xid ?? null,
    serialization: row.serialization ?? null,
    delayUntilEpochMs: numberOrNull(row.delay_until_epoch_ms),
    attributes: row.attributes ?? null,
    scheduleName: row.schedule_name ?? null,
  };
  if ("inputs" in row) record.inputs = row.inputs ?? null;
  if ("output" in row) record.output = row.output ?? null;
  if ("error" in row) record.error = row.error ?? null;
  if ("has_checkpoints" in row) record.hasCheckpoints = Boolean(row.has_checkpoints);
  return record as unknown as WorkflowRecord;
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
