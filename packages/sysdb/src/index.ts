// @durably/sysdb: the one system-database layer of durably.
//
// Its job: connect to Postgres (pool + one LISTEN connection), create and migrate the
// DBOS-compatible system schema, classify database errors, and offer typed query functions,
// one file per table or concern. It is the only package that imports `postgres`, `kysely` or
// the dialect. It knows nothing about running workflows or about serialization formats: payloads
// are opaque strings tagged with a format name chosen by the caller.
export { DurablyError, durablyErrorCodes, isDurablyError } from "./durably-error.js";
export { checkOptions, maxInt4, maxTimerMs } from "./check-options.js";
export type { OptionRule, OptionRules } from "./check-options.js";
export type { DurablyErrorCode, DurablyErrorOptions } from "./durably-error.js";
export { defaultSchemaName, quoteIdentifier, validateSchemaName } from "./schema-name.js";
export { classifyError, errorCode, isRetryable } from "./sqlstate.js";
export type { ClassifyOptions, ErrorClass } from "./sqlstate.js";
export { openSystemDatabase } from "./system-database.js";
export { checkDatabaseUrl, describeUrl } from "./database-url.js";
export { connectionFailure, type ConnectionFailureReason, type ConnectionTarget } from "./connection-failure.js";
export type { SystemDatabase, SystemDatabaseOptions } from "./system-database.js";
export { NotificationListener } from "./notification-listener.js";
export type { NotificationHandler, ReconnectHandler } from "./notification-listener.js";
export { migrateSystemDatabase, requireMigrated, dbosMigrationLevel, latestMigrationVersion, schemaFingerprint, renderMigrationSql } from "./migrate.js";
export type { MigrationReport } from "./migrate.js";
export { ensureDatabaseExists, type EnsureDatabaseOptions } from "./create-database.js";
export type * from "./tables.js";
export * from "./queries/workflow-record.js";
export * from "./queries/workflow-status.js";
export * from "./queries/operation-outputs.js";
export * from "./queries/group-commit.js";
export * from "./queries/claim-workflows.js";
export * from "./queries/executor-leases.js";
export * from "./queries/cancel-workflows.js";
export * from "./queries/resume-workflows.js";
export type { WorkflowChangeRecord } from "./queries/workflow-change-record.js";
export * from "./queries/fork-workflow.js";
export * from "./queries/list-workflows.js";
export * from "./queries/application-versions.js";
export * from "./queries/notify.js";
export * from "./queries/queues.js";
export * from "./queries/claim-queued-workflows.js";
export * from "./queries/step-fence.js";
export * from "./queries/notifications.js";
export * from "./queries/workflow-events.js";
export * from "./queries/streams.js";
export * from "./queries/workflow-schedules.js";
export * from "./queries/delete-workflows.js";
export { migratedTemplate } from "./migrated-template.js";
export { newLeaseID, newOwnerToken } from "./short-id.js";
