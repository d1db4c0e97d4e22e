// A schema's shape, read from pg_catalog, as flat comparable entries: what two system databases
// must agree on for DBOS's clients to treat them as the same.
import postgres from "postgres";
import { normaliseFunctionBody, replaceSchemaName } from "./normalise-definition.js";

export interface CatalogEntry {
  /** table, column, constraint, index, trigger, function, function body, type or rows. */
  readonly kind: string;
  /** The object's name, prefixed by its table's where it has one (`workflow_status.priority`). */
  readonly name: string;
  /** The table it belongs to: entries of a table found on one side only are not reported one by one. */
  readonly table: string | undefined;
  /** Everything compared about it, as one string with the schema's name normalised. */
  readonly definition: string;
}

export type Catalog = readonly CatalogEntry[];

/** The tables whose rows are part of the schema: each side's migration counter. */
const ledgerTables = ["dbos_migrations", "durably_migrations"];

const relationKinds: Record<string, string> = {
  r: "table",
  p: "partitioned table",
  v: "view",
  m: "materialized view",
  S: "sequence",
  f: "foreign table",
  c: "composite type",
};

/** Reads every object of `schema` in the database at `url`. */
export async function readCatalog(url: string, schema: string): Promise<Catalog> {
  // With only pg_catalog on the search path, every reference to the schema comes out qualified.
  const sql = postgres(url, { max: 1, onnotice: () => undefined, connection: { search_path: "pg_catalog" } });
  try {
    const entries = [
      ...(await readRelations(sql, schema)),
      ...(await readColumns(sql, schema)),
      ...(await readConstraints(sql, schema)),
      ...(await readIndexes(sql, schema)),
      ...(await readTriggers(sql, schema)),
      ...(await readFunctions(sql, schema)),
      ...(await readTypes(sql, schema)),
      ...(await readLedgers(sql, schema)),
    ];
    return entries
      .map((entry) => ({ ...entry, definition: replaceSchemaName(entry.definition, schema) }))
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** How an entry is identified across two catalogs. */
export function keyOf(entry: CatalogEntry): string {
  return `${entry.kind} ${entry.name}`;
}

async function readRelations(sql: postgres.Sql, schema: string): Promise<CatalogEntry[]> {
  const rows = await sql<{ relname: string; relkind: string; relpersistence: string; reloptions: string[] | null }[]>`
    select c.relname, c.relkind, c.relpersistence, c.reloptions
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind not in ('i', 'I')`;
  return rows.map((r) => ({
    kind: relationKinds[r.relkind] ?? `relation (relkind ${r.relkind})`,
    name: r.relname,
    table: r.relname,
    definition: [
      r.relpersistence === "u" ? "unlogged" : r.relpersistence === "t" ? "temporary" : "logged",
      `options ${JSON.stringify(r.reloptions ?? [])}`,
    ].join(", "),
  }));
}

async function readColumns(sql: postgres.Sql, schema: string): Promise<CatalogEntry[]> {
  const rows = await sql<
    {
      table: string;
      column: string;
      position: number;
      type: string;
      not_null: boolean;
      default: string | null;
      identity: string;
      generated: string;
      collation: string | null;
    }[]
  >`
    select c.relname as table, a.attname as column, a.attnum as position,
           format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
           pg_get_expr(d.adbin, d.adrelid) as default, a.attidentity as identity, a.attgenerated as generated,
           case when a.attcollation <> t.typcollation then co.collname end as collation
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    left join pg_collation co on co.oid = a.attcollation
    where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'm', 'f', 'c')
      and a.attnum > 0 and not a.attisdropped`;
  return rows.map((r) => ({
    kind: "column",
    name: `${r.table}.${r.column}`,
    table: r.table,
    definition: [
      `#${r.position}`,
      r.type,
      r.not_null ? "not null" : "null",
      r.default === null ? "" : `default ${r.default}`,
      r.identity ? `identity ${r.identity}` : "",
      r.generated ? `generated ${r.generated}` : "",
      r.collation === null ? "" : `collate ${r.collation}`,
    ]
      .filter(Boolean)
      .join(" "),
  }));
}

async function readConstraints(sql: postgres.Sql, schema: string): Promise<CatalogEntry[]> {
  const rows = await sql<{ table: string; name: string; definition: string }[]>`
    select c.relname as table, k.conname as name, pg_get_constraintdef(k.oid) as definition
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = k.connamespace
    where n.nspname = ${schema}`;
  return rows.map((r) => ({
    kind: "constraint",
    name: `${r.table}.${r.name}`,
    table: r.table,
    definition: r.definition,
  }));
}

async function readIndexes(sql: postgres.Sql, schema: string): Promise<CatalogEntry[]> {
  const rows = await sql<{ table: string; name: string; definition: string }[]>`
    select c.relname as table, i.relname as name, pg_get_indexdef(x.indexrelid) as definition
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_class c on c.oid = x.indrelid
    join pg_namespace n on n.oid = i.relnamespace
    where n.nspname = ${schema}`;
  return rows.map((r) => ({ kind: "index", name: `${r.table}.${r.name}`, table: r.table, definition: r.definition }));
}

async function readTriggers(sql: postgres.Sql, schema: string): Promise<CatalogEntry[]> {
  const rows = await sql<{ table: string; name: string; definition: string; enabled: string }[]>`
    select c.relname as table, t.tgname as name, pg_get_triggerdef(t.oid) as definition, t.tgenabled as enabled
    from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and not t.tgisinternal`;
  return rows.map((r) => ({
    kind: "trigger",
    name: `${r.table}.${r.name}`,
    table: r.table,
    definition: `${r.definition} (enabled ${r.enabled})`,
  }));
}

async function readFunctions(sql: postgres.Sql, schema: string): Promise<CatalogEntry[]> {
  const rows = await sql<
    {
      name: string;
      identity: string;
      arguments: string;
      result: string | null;
      language: string;
      config: string[] | null;
      kind: string;
      volatility: string;
      strict: boolean;
      security_definer: boolean;
      body: string;
    }[]
  >`
    select p.proname as name, pg_get_function_identity_arguments(p.oid) as identity,
           pg_get_function_arguments(p.oid) as arguments, pg_get_function_result(p.oid) as result,
           l.lanname as language, p.proconfig as config, p.prokind as kind, p.provolatile as volatility,
           p.proisstrict as strict, p.prosecdef as security_definer, p.prosrc as body
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    join pg_language l on l.oid = p.prolang
    where n.nspname = ${schema}`;
  return rows.flatMap((r) => {
    const name = `${r.name}(${r.identity})`;
    return [
      {
        kind: "function",
        name,
        table: undefined,
        definition: [
          `(${r.arguments}) returns ${r.result ?? "nothing"}`,
          `language ${r.language}`,
          `kind ${r.kind}`,
          `volatility ${r.volatility}`,
          r.strict ? "strict" : "not strict",
          r.security_definer ? "security definer" : "security invoker",
          `config ${JSON.stringify(r.config ?? [])}`,
        ].join(", "),
      },
      { kind: "function body", name, table: undefined, definition: normaliseFunctionBody(r.body) },
    ];
  });
}

async function readTypes(sql: postgres.Sql, schema: string): Promise<CatalogEntry[]> {
  // Types of their own (domains, enums, ranges); tables' row types are covered by the tables.
  const rows = await sql<{ name: string; kind: string; base: string | null; labels: string | null }[]>`
    select t.typname as name, t.typtype as kind,
           case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod) end as base,
           (select string_agg(e.enumlabel, ', ' order by e.enumsortorder)
             from pg_enum e where e.enumtypid = t.oid) as labels
    from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = ${schema} and t.typtype in ('d', 'e', 'r', 'm')`;
  return rows.map((r) => ({
    kind: "type",
    name: r.name,
    table: undefined,
    definition: [`typtype ${r.kind}`, r.base ?? "", r.labels === null ? "" : `labels ${r.labels}`]
      .filter(Boolean)
      .join(" "),
  }));
}

async function readLedgers(sql: postgres.Sql, schema: string): Promise<CatalogEntry[]> {
  const present = await sql<{ table: string }[]>`
    select tablename as table from pg_tables where schemaname = ${schema} and tablename in ${sql(ledgerTables)}`;
  const entries: CatalogEntry[] = [];
  for (const { table } of present) {
    // Ordered by the column's own type: as text, 10 would sort before 2.
    const rows = await sql<
      { version: string | number }[]
    >`select version from ${sql(schema)}.${sql(table)} order by version`;
    entries.push({
      kind: "rows",
      name: table,
      table,
      definition: `versions ${rows.map((r) => String(r.version)).join(", ")}`,
    });
  }
  return entries;
}
