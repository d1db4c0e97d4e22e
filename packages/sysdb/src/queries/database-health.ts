// What `durably doctor` reports: the system tables' sizes, dead tuples and last (auto)vacuum, the
// oldest open transaction on the server (it holds back every vacuum), and the settings that matter.
// Postgres's statistics views are not part of the system schema: StatisticsViews types the columns read here.
import { type Expression, sql } from "kysely";
import type { SystemDatabase } from "../system-database.js";

/** The columns of Postgres's statistics views and settings that this file reads. */
type StatisticsViews = {
  "pg_catalog.pg_stat_user_tables": {
    relid: number;
    relname: string;
    schemaname: string;
    n_live_tup: string;
    n_dead_tup: string;
    last_autovacuum: Date | null;
    last_vacuum: Date | null;
    last_autoanalyze: Date | null;
  };
  "pg_catalog.pg_stat_activity": {
    pid: number;
    datname: string | null;
    application_name: string | null;
    state: string | null;
    xact_start: Date | null;
    query: string | null;
    backend_type: string | null;
  };
  "pg_catalog.pg_settings": { name: string; setting: string; unit: string | null };
};

export interface TableHealth {
  readonly table: string;
  /** Heap, TOAST and indexes, in bytes. */
  readonly totalBytes: number;
  readonly indexBytes: number;
  readonly liveTuples: number;
  readonly deadTuples: number;
  /** Epoch ms, or null if never. */
  readonly lastAutovacuum: number | null;
  readonly lastVacuum: number | null;
  readonly lastAutoanalyze: number | null;
}

export interface OpenTransaction {
  readonly pid: number;
  readonly database: string | null;
  readonly applicationName: string | null;
  readonly state: string | null;
  /** How long the transaction has been open, in ms. */
  readonly ageMs: number;
  /** The start of its current or last statement, at most 200 characters. */
  readonly query: string | null;
}

export interface DatabaseHealth {
  readonly schema: string;
  readonly tables: readonly TableHealth[];
  /** The oldest transaction open on the server (any database), or null if none but this read. */
  readonly oldestTransaction: OpenTransaction | null;
  /** Settings that decide bloat and stuck statements, as Postgres shows them. */
  readonly settings: Readonly<Record<string, string>>;
}

const settingNames = [
  "autovacuum",
  "autovacuum_vacuum_scale_factor",
  "autovacuum_vacuum_cost_limit",
  "autovacuum_naptime",
  "statement_timeout",
  "idle_in_transaction_session_timeout",
  "max_connections",
];

/**
 * Reads the health of the system schema's tables and of the server, largest tables first.
 *
 * @example
 * const health = await readDatabaseHealth(sysdb);
 * for (const t of health.tables) console.log(t.table, t.totalBytes, t.deadTuples);
 */
export async function readDatabaseHealth(sysdb: SystemDatabase): Promise<DatabaseHealth> {
  const db = sysdb.db.withTables<StatisticsViews>();
  // Epoch ms of a timestamp (or ms of an interval): date_part is extract's function form, which Kysely lacks.
  const epochMs = (value: Expression<unknown>) => db.fn<number>("date_part", [sql.lit("epoch"), value]);
  const tables = await db
    .selectFrom("pg_catalog.pg_stat_user_tables")
    .select((eb) => [
      "relname as table",
      eb.cast<string>(eb.fn("pg_total_relation_size", ["relid"]), "int8").as("total_bytes"),
      eb.cast<string>(eb.fn("pg_indexes_size", ["relid"]), "int8").as("index_bytes"),
      "n_live_tup as live",
      "n_dead_tup as dead",
      eb.cast<string | null>(eb(epochMs(eb.ref("last_autovacuum")), "*", eb.lit(1000)), "int8").as("last_autovacuum"),
      eb.cast<string | null>(eb(epochMs(eb.ref("last_vacuum")), "*", eb.lit(1000)), "int8").as("last_vacuum"),
      eb.cast<string | null>(eb(epochMs(eb.ref("last_autoanalyze")), "*", eb.lit(1000)), "int8").as("last_autoanalyze"),
    ])
    .where("schemaname", "=", sysdb.schema)
    .orderBy((eb) => eb.fn("pg_total_relation_size", ["relid"]), "desc")
    .orderBy("relname")
    .execute();
  const oldest = await db
    .selectFrom("pg_catalog.pg_stat_activity")
    .select((eb) => [
      "pid",
      "datname",
      "application_name",
      "state",
      eb
        .cast<string>(eb(epochMs(eb(eb.fn("clock_timestamp"), "-", eb.ref("xact_start"))), "*", eb.lit(1000)), "int8")
        .as("age_ms"),
      eb.fn<string | null>("left", ["query", eb.lit(200)]).as("query"),
    ])
    .where("xact_start", "is not", null)
    .where((eb) => eb("pid", "<>", eb.fn<number>("pg_backend_pid")))
    .where("backend_type", "=", "client backend")
    .orderBy("xact_start")
    .limit(1)
    .executeTakeFirst();
  const settings = await db
    .selectFrom("pg_catalog.pg_settings")
    .select(["name", "setting", "unit"])
    .where("name", "in", settingNames)
    .execute();
  const n = (v: string | null) => (v === null ? null : Number(v));
  return {
    schema: sysdb.schema,
    tables: tables.map((t) => ({
      table: t.table,
      totalBytes: Number(t.total_bytes),
      indexBytes: Number(t.index_bytes),
      liveTuples: Number(t.live),
      deadTuples: Number(t.dead),
      lastAutovacuum: n(t.last_autovacuum),
      lastVacuum: n(t.last_vacuum),
      lastAutoanalyze: n(t.last_autoanalyze),
    })),
    oldestTransaction:
      oldest === undefined
        ? null
        : {
            pid: Number(oldest.pid),
            database: oldest.datname,
            applicationName: oldest.application_name,
            state: oldest.state,
            ageMs: Number(oldest.age_ms),
            query: oldest.query,
          },
    settings: Object.fromEntries(settings.map((s) => [s.name, `${s.setting}${s.unit ? ` ${s.unit}` : ""}`])),
  };
}
