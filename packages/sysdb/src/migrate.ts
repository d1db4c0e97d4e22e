// Brings a system database to the schema this package was built with, or refuses clearly.
//
// DBOS keeps one counter (dbos_migrations, 123 for DBOS 5.3.0); durably keeps its own ledger
// (durably_migrations) beside it. Migrations run in one transaction under a transaction-scoped advisory lock, so
// any number of processes may launch at once and each sees either nothing or everything.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import { DurablyError } from "./durably-error.js";
import { inTransaction, type Queryable } from "./queryable.js";
import { quoteIdentifier, validateSchemaName } from "./schema-name.js";
import { migrations } from "./generated/migrations.js";
import type { SystemDatabase } from "./system-database.js";

/** The DBOS shared-migration level this schema matches (@dbos-inc/dbos-sdk 5.3.0). */
export const dbosMigrationLevel = 123;

/** The newest durably migration this package knows. */
export const latestMigrationVersion = migrations.length;

/** Changes whenever any migration's text changes: a cache key for pre-migrated test templates. */
export const schemaFingerprint = createHash("sha256")
  .update(migrations.map((m) => m.sql).join("\0"))
  .digest("hex")
  .slice(0, 12);

export interface MigrationReport {
  /** durably migration versions applied by this call. */
  readonly applied: readonly number[];
  /** True when the database had been migrated by DBOS itself and durably adopted it. */
  readonly adoptedFromDbos: boolean;
}

interface MigrationState {
  readonly dbosLevel: number | undefined;
  readonly durablyVersion: number | undefined;
}

/**
 * Creates or upgrades the system schema. Idempotent; safe to run from many processes at once;
 * accepts a database that DBOS 5.3.0 migrated; refuses, changing nothing, a database that a newer
 * DBOS or durably migrated.
 *
 * @example
 * const report = await migrateSystemDatabase(sysdb); // { applied: [1], adoptedFromDbos: false }
 */
export async function migrateSystemDatabase(sysdb: SystemDatabase): Promise<MigrationReport> {
  const before = await readState(sysdb);
  if (isCurrent(sysdb, before)) return { applied: [], adoptedFromDbos: false };

  return inTransaction(sysdb, async (tx) => {
    // A transaction-scoped lock (released by COMMIT or ROLLBACK), never a session lock: through a
    // pooler in transaction mode a session lock stays on a lent server connection. Two keys: one
    // constant for "durably migrations", one per schema.
    await tx.db
      .selectNoFrom((eb) =>
        eb
          .fn("pg_advisory_xact_lock", [
            eb.fn("hashtext", [eb.val("durably.migrate")]),
            eb.fn("hashtext", [eb.val(sysdb.schema)]),
          ])
          .as("locked"),
      )
      .execute();
    const state = await readState(tx);
    if (isCurrent(sysdb, state)) return { applied: [], adoptedFromDbos: false };

    const q = sysdb.quotedSchema;
    let from = state.durablyVersion ?? 0;
    const adoptedFromDbos = state.durablyVersion === undefined && state.dbosLevel === dbosMigrationLevel;
    // sql: the migration scripts are DDL text run as written (several statements, simple protocol).
    await sql
      .raw(`
      CREATE SCHEMA IF NOT EXISTS ${q};
      CREATE TABLE IF NOT EXISTS ${q}.durably_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at bigint DEFAULT ((EXTRACT(epoch FROM now()) * 1000.0))::bigint NOT NULL
      )`)
      .execute(tx.db);
    const record = (migration: { version: number; name: string }) =>
      tx.db.insertInto("durably_migrations").values({ version: migration.version, name: migration.name }).execute();
    if (adoptedFromDbos) {
      // DBOS 5.3.0 built exactly what 0001 builds: record it instead of running it.
      const base = migrations[0]!;
      await record(base);
      from = base.version;
    }
    const applied: number[] = [];
    for (const migration of migrations.slice(from)) {
      await sql.raw(migration.sql.replaceAll("{{schema}}", q)).execute(tx.db);
      await record(migration);
      applied.push(migration.version);
    }
    return { applied, adoptedFromDbos };
  });
}

/** The catalog view migrations read (outside the system schema, so not in SystemSchema). */
type CatalogTables = {
  "pg_catalog.pg_tables": { schemaname: string; tablename: string };
};

/**
 * Throws MIGRATION_REFUSED unless durably's schema is there: a client reads and writes the tables
 * but never creates them.
 */
export async function requireMigrated(sysdb: SystemDatabase): Promise<void> {
  const found = await systemTables(sysdb, ["durably_migrations"]);
  if (found.length === 0) {
    throw new DurablyError(
      "MIGRATION_REFUSED",
      `The system database ${sysdb.location} has no durably schema ${sysdb.quotedSchema} (latest ` +
        `version ${latestMigrationVersion}). ` +
        "Launch a worker once, or run `durably migrate`, before using a client.",
    );
  }
}

/** Which of `names` exist as tables in the system schema. */
async function systemTables(on: Queryable, names: readonly string[]): Promise<string[]> {
  // pg_tables, not to_regclass: inside a transaction to_regclass may read a stale catalog cache
  // and miss tables that a concurrent migration just committed.
  const rows = await on.db
    .withTables<CatalogTables>()
    .selectFrom("pg_catalog.pg_tables")
    .select("tablename")
    .where("schemaname", "=", on.schema)
    .where("tablename", "in", names)
    .execute();
  return rows.map((row) => row.tablename);
}

/** Reads both counters; throws MIGRATION_REFUSED for a database this package must not touch. */
async function readState(on: Queryable): Promise<MigrationState> {
  const tables = await systemTables(on, ["dbos_migrations", "durably_migrations"]);
  const dbosLevel = tables.includes("dbos_migrations")
    ? Number(
        (
          await on.db
            .selectFrom("dbos_migrations")
            .select((eb) => eb.fn.max("version").as("v"))
            .executeTakeFirst()
        )?.v ?? 0,
      )
    : undefined;
  const durablyVersion = tables.includes("durably_migrations")
    ? Number(
        (
          await on.db
            .selectFrom("durably_migrations")
            .select((eb) => eb.fn.max("version").as("v"))
            .executeTakeFirst()
        )?.v ?? 0,
      )
    : undefined;
  return { dbosLevel, durablyVersion };
}

function isCurrent(sysdb: SystemDatabase, state: MigrationState): boolean {
  refuseUnknown(sysdb, state);
  return state.durablyVersion === latestMigrationVersion;
}

function refuseUnknown(sysdb: SystemDatabase, { dbosLevel, durablyVersion }: MigrationState): void {
  const where = `system database ${sysdb.location} (schema ${sysdb.quotedSchema})`;
  if (durablyVersion !== undefined && durablyVersion > latestMigrationVersion) {
    throw new DurablyError(
      "MIGRATION_REFUSED",
      `The ${where} was migrated by a newer durably (schema version ${durablyVersion}; this one knows up ` +
        `to ${latestMigrationVersion}). ` +
        "Nothing was changed. Upgrade durably in this program.",
    );
  }
  if (dbosLevel !== undefined && dbosLevel > dbosMigrationLevel) {
    throw new DurablyError(
      "MIGRATION_REFUSED",
      `The ${where} was migrated by a newer DBOS (migration level ${dbosLevel}; durably ` +
        `supports ${dbosMigrationLevel}, as DBOS 5.3.0). ` +
        "Nothing was changed. Use a separate system database, or a durably release that supports this level.",
    );
  }
  if (durablyVersion === undefined && dbosLevel !== undefined && dbosLevel < dbosMigrationLevel) {
    throw new DurablyError(
      "MIGRATION_REFUSED",
      `The ${where} was migrated by an older DBOS (migration level ${dbosLevel}; durably ` +
        `needs ${dbosMigrationLevel}). ` +
        "Nothing was changed. Upgrade it by launching DBOS 5.3.0 against it once (or `npx dbos@5.3.0 " +
        "migrate`), then start durably.",
    );
  }
}

/** The SQL every migration runs, for schema `schema`, in order: what a DBA reviews before applying. */
export function renderMigrationSql(schema: string): string {
  const quoted = quoteIdentifier(validateSchemaName(schema));
  return migrations.map((m) => `-- ${m.name}\n${m.sql.replaceAll("{{schema}}", quoted)}`).join("\n\n");
}
