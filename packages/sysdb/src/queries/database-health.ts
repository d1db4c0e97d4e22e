// What `durably doctor` reports: the system tables' sizes, dead tuples and last (auto)vacuum, the
// oldest open transaction on the server (it holds back every vacuum), and the settings that matter.
// Postgres's statistics views are not part of the system schema, so this reads them in SQL.
import type { SystemDatabase } from "../system-database.js";

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
  const { sql } = sysdb;
  const tables = await sql`
    select relname as table, pg_total_relation_size(relid)::int8 as total_bytes,
      pg_indexes_size(relid)::int8 as index_bytes, n_live_tup::int8 as live, n_dead_tup::int8 as dead,
      (extract(epoch from last_autovacuum) * 1000)::int8 as last_autovacuum,
      (extract(epoch from last_vacuum) * 1000)::int8 as last_vacuum,
      (extract(epoch from last_autoanalyze) * 1000)::int8 as last_autoanalyze
    from pg_stat_user_tables where schemaname = ${sysdb.schema}
    order by pg_total_relation_size(relid) desc, relname`;
  const [oldest] = await sql`
    select pid, datname, application_name, state,
      (extract(epoch from clock_timestamp() - xact_start) * 1000)::int8 as age_ms, left(query, 200) as query
    from pg_stat_activity
    where xact_start is not null and pid <> pg_backend_pid() and backend_type = 'client backend'
    order by xact_start limit 1`;
  const settings = await sql`select name, setting, unit from pg_settings where name in ${sql(settingNames)}`;
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    schema: sysdb.schema,
    tables: tables.map((t) => ({
      table: t.table as string,
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
            database: oldest.datname as string | null,
            applicationName: oldest.application_name as string | null,
            state: oldest.state as string | null,
            ageMs: Number(oldest.age_ms),
            query: oldest.query as string | null,
          },
    settings: Object.fromEntries(
      settings.map((s) => [s.name as string, `${s.setting as string}${s.unit ? ` ${s.unit as string}` : ""}`]),
    ),
  };
}
