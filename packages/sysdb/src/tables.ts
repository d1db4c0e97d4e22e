// Typed rows of the system schema, for Kysely. Snake_case as in SQL; mappers hand out camelCase.
// int8 columns arrive as JS numbers (epoch milliseconds fit exactly); numeric stays a string.
import type { ColumnType, Generated } from "kysely";
import type { WorkflowStatusName } from "./queries/workflow-status-name.js";

/** A column with a database default: optional on insert. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface WorkflowStatusTable {
  workflow_uuid: string;
  status: WorkflowStatusName | null;
  name: string | null;
  authenticated_user: string | null;
  assumed_role: string | null;
  authenticated_roles: string | null;
  request: string | null;
  output: string | null;
  error: string | null;
  executor_id: string | null;
  created_at: Defaulted<number>;
  updated_at: Defaulted<number>;
  application_version: string | null;
  application_id: string | null;
  class_name: string | null;
  config_name: string | null;
  recovery_attempts: Defaulted<number | null>;
  queue_name: string | null;
  workflow_timeout_ms: number | null;
  workflow_deadline_epoch_ms: number | null;
  inputs: string | null;
  started_at_epoch_ms: number | null;
  deduplication_id: string | null;
  priority: Defaulted<number>;
  queue_partition_key: string | null;
  forked_from: string | null;
  owner_xid: string | null;
  parent_workflow_id: string | null;
  serialization: string | null;
  delay_until_epoch_ms: number | null;
  was_forked_from: Defaulted<boolean>;
  rate_limited: Defaulted<boolean>;
  completed_at: number | null;
  attributes: unknown | null;
  schedule_name: string | null;
  debounce_deadline_epoch_ms: number | null;
  is_debounced: Defaulted<boolean>;
  application_name: string | null;
  creator_xid: string | null;
  /** durably's own (0011): the W3C trace context the workflow was started or enqueued under. */
  durably_traceparent: string | null;
  durably_tracestate: string | null;
}

export interface WorkflowInputTable {
  workflow_uuid: string;
  inputs: string | null;
  retention_timestamp: Defaulted<number>;
}

export interface WorkflowOutputTable {
  workflow_uuid: string;
  output: string | null;
  error: string | null;
  retention_timestamp: Defaulted<number>;
}

export interface OperationOutputsTable {
  workflow_uuid: string;
  function_id: number;
  function_name: Defaulted<string>;
  output: string | null;
  error: string | null;
  child_workflow_id: string | null;
  started_at_epoch_ms: number | null;
  completed_at_epoch_ms: number | null;
  serialization: string | null;
  application_name: string | null;
  retention_timestamp: Defaulted<number>;
}

export interface NotificationsTable {
  message_uuid: Generated<string>;
  destination_uuid: string;
  topic: string | null;
  message: string;
  created_at_epoch_ms: Defaulted<number>;
  serialization: string | null;
  consumed: Defaulted<boolean>;
  consumed_by_function_id: number | null;
  /**
   * durably's (migration 0003): the order messages were sent in; recv takes the smallest first.
   * Null only on messages already consumed before that migration.
   */
  durably_send_order: Generated<number | null>;
}

export interface WorkflowEventsTable {
  workflow_uuid: string;
  key: string;
  value: string;
  serialization: string | null;
}

export interface WorkflowEventsHistoryTable {
  workflow_uuid: string;
  function_id: number;
  key: string;
  value: string;
  serialization: string | null;
}

export interface StreamsTable {
  workflow_uuid: string;
  key: string;
  value: string;
  offset: number;
  function_id: Defaulted<number>;
  serialization: string | null;
}

export interface QueuesTable {
  queue_id: Generated<string>;
  name: string;
  concurrency: number | null;
  worker_concurrency: number | null;
  rate_limit_max: number | null;
  rate_limit_period_sec: number | null;
  priority_enabled: Defaulted<boolean>;
  partition_queue: Defaulted<boolean>;
  polling_interval_sec: Defaulted<number>;
  created_at: Defaulted<number>;
  updated_at: Defaulted<number>;
  application_name: string | null;
  partition_concurrency: number | null;
  partition_worker_concurrency: number | null;
  partition_rate_limit_max: number | null;
  partition_rate_limit_period_sec: number | null;
}

export interface WorkflowSchedulesTable {
  schedule_id: string;
  schedule_name: string;
  workflow_name: string;
  workflow_class_name: string | null;
  schedule: string;
  /** Only these two: what durably and DBOS write. */
  status: Defaulted<"ACTIVE" | "PAUSED">;
  context: string;
  last_fired_at: string | null;
  automatic_backfill: Defaulted<boolean>;
  cron_timezone: string | null;
  queue_name: string | null;
  application_name: string | null;
}

export interface ApplicationVersionsTable {
  version_id: string;
  version_name: string;
  version_timestamp: Defaulted<number>;
  created_at: Defaulted<number>;
  application_name: string | null;
}

export interface EventDispatchKvTable {
  service_name: string;
  workflow_fn_name: string;
  key: string;
  value: string | null;
  update_seq: string | null;
  update_time: string | null;
}

export interface DbosMigrationsTable {
  version: number;
}

/** durably's own migration ledger, beside DBOS's single-row counter. */
export interface DurablyMigrationsTable {
  version: number;
  name: string;
  applied_at: Defaulted<number>;
}

/** durably's own: one row per launched process, its lease on its executor identity (0004). */
export interface DurablyExecutorLeasesTable {
  lease_id: string;
  executor_id: string;
  application_name: string;
  application_version: string;
  hostname: string;
  pid: number;
  renew_ms: number;
  lapse_ms: number;
  /** Every application version the process serves: its own and its compatible ones (0005). */
  served_versions: Defaulted<string[]>;
  started_at: Defaulted<Date>;
  renewed_at: Defaulted<Date>;
  ended_at: Date | null;
  ended_reason: "lapsed" | "released" | "replaced" | null;
}

/** durably's own: one row per paused queue, by name (0006). */
export interface DurablyQueuePausesTable {
  queue_name: string;
  paused_at: Defaulted<number>;
  reason: string | null;
}

/** durably's own: the trace context of a workflow's send, by message ID (0008). */
export interface DurablyMessageTraceContextsTable {
  message_uuid: string;
  sender_workflow_uuid: string;
  traceparent: string;
  tracestate: string | null;
}

/** The whole system schema, as Kysely sees it (queried with `withSchema(schemaName)`). */
export interface SystemSchema {
  workflow_status: WorkflowStatusTable;
  workflow_input: WorkflowInputTable;
  workflow_output: WorkflowOutputTable;
  operation_outputs: OperationOutputsTable;
  notifications: NotificationsTable;
  workflow_events: WorkflowEventsTable;
  workflow_events_history: WorkflowEventsHistoryTable;
  streams: StreamsTable;
  queues: QueuesTable;
  workflow_schedules: WorkflowSchedulesTable;
  application_versions: ApplicationVersionsTable;
  event_dispatch_kv: EventDispatchKvTable;
  dbos_migrations: DbosMigrationsTable;
  durably_migrations: DurablyMigrationsTable;
  durably_executor_leases: DurablyExecutorLeasesTable;
  durably_queue_pauses: DurablyQueuePausesTable;
  durably_message_trace_contexts: DurablyMessageTraceContextsTable;
}
