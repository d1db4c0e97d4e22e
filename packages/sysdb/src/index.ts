// @durably/sysdb: the one system-database layer of durably.
//
// Its job: connect to Postgres (pool + one LISTEN connection), create and migrate the
// DBOS-compatible system schema, and classify database errors; its typed query functions, one
// file per table or concern, are on the `@durably/sysdb/queries` subpath, for durably's own
// packages. It is the only package that imports `postgres`, `kysely` or
// the dialect. It knows nothing about running workflows or about serialization formats: payloads
// are opaque strings tagged with a format name chosen by the caller.
//
// How it builds SQL: with Kysely's typed builder (`Kysely<SystemSchema>`, tables.ts) over a
// postgres.js pool (kysely-dialect.ts); a query function takes a Queryable (the pool or a
// transaction, queryable.ts). Hot-path statements are CompiledStatements (compiled-statement.ts):
// compiled once, executed with fresh parameters. Raw `sql` fragments only where Kysely has no
// construct, each saying which: `json_to_recordset` with a column list, `ARRAY(subquery)`,
// `ARRAY[…]`, `extract(epoch from …)`, an `interval` literal, `SET LOCAL`, `is not null` as an
// operand, `percentile_cont` and `CREATE DATABASE`. Postgres's statistics views (durably doctor) are
// typed by their own small interface in queries/database-health.ts.
export { DurablyError, durablyErrorCodes, isDurablyError } from "./durably-error.js";
export { checkArgument, checkOptions, maxInt4, maxTimerMs } from "./check-options.js";
export type { OptionRule, OptionRules } from "./check-options.js";
export type { DurablyErrorCode, DurablyErrorOptions } from "./durably-error.js";
export { defaultSchemaName, quoteIdentifier, validateSchemaName } from "./schema-name.js";
export { classifyError, errorCode, isRetryable, isStatementCancelled } from "./sqlstate.js";
export type { ClassifyOptions, ErrorClass } from "./sqlstate.js";
export { openSystemDatabase } from "./system-database.js";
export { checkDatabaseUrl, describeUrl, withDatabase } from "./database-url.js";
export { connectionFailure, type ConnectionFailureReason, type ConnectionTarget } from "./connection-failure.js";
export type { SystemDatabase, SystemDatabaseOptions } from "./system-database.js";
export { inTransaction, type Queryable, type TransactionQueryable } from "./queryable.js";
export { NotificationListener } from "./notification-listener.js";
export type { NotificationHandler, ReconnectHandler } from "./notification-listener.js";
export {
  migrateSystemDatabase,
  requireMigrated,
  dbosMigrationLevel,
  latestMigrationVersion,
  schemaFingerprint,
  renderMigrationSql,
} from "./migrate.js";
export type { MigrationReport } from "./migrate.js";
export { ensureDatabaseExists, type EnsureDatabaseOptions } from "./create-database.js";
export type * from "./tables.js";
export { migratedTemplate } from "./migrated-template.js";
