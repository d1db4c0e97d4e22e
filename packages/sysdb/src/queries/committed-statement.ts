// Statements whose success must mean "committed". postgres.js resolves an extended-protocol
// statement at CommandComplete, before the implicit transaction around it commits
// (porsager/postgres#1090), so a commit that fails afterwards (the backend terminated or the
// server crashed at that moment, a deferred constraint) would look like success. A statement
// sent with the simple protocol resolves at ReadyForQuery, after the commit. That protocol takes
// no parameters, so values are inlined as quoted literals: `'…'` is of type unknown, exactly
// like postgres.js's untyped parameters, so the server reads them the same way.
import { DurablyError } from "../durably-error.js";
import type { SystemDatabase } from "../system-database.js";

/** SQL text spliced in as is: the schema, a nested fragment, an expression. */
export class SqlFragment {
  constructor(readonly text: string) {}
}

/** A value `committed` can inline. Anything else is a programming error. */
export type SqlValue = string | number | boolean | null | SqlFragment;

/** A fragment with its values inlined, for composing `committed` statements. */
export function fragment(strings: TemplateStringsArray, ...values: readonly SqlValue[]): SqlFragment {
  let text = strings[0]!;
  for (let i = 0; i < values.length; i++) text += literal(values[i]!) + strings[i + 1]!;
  return new SqlFragment(text);
}

export interface CommittedTag {
  <Row = Record<string, unknown>>(strings: TemplateStringsArray, ...values: readonly SqlValue[]): Promise<Row[]>;
  /** The quoted schema, for `${c.schema}.table`. */
  readonly schema: SqlFragment;
}

/**
 * A tag for one statement that resolves only once it has committed, and rejects if the commit
 * failed.
 *
 * @example
 * const c = committed(sysdb);
 * const rows = await c`update ${c.schema}.workflow_status set status = ${status} where workflow_uuid = ${id} returning 1`;
 */
export function committed(sysdb: SystemDatabase): CommittedTag {
  const tag = (strings: TemplateStringsArray, ...values: readonly SqlValue[]) =>
    sysdb.sql.unsafe(fragment(strings, ...values).text) as unknown as Promise<never[]>;
  return Object.assign(tag, { schema: new SqlFragment(sysdb.quotedSchema) });
}

/** A JSON list of strings as a text[] fragment (see text-list.ts for why JSON). */
export function textListFragment(values: readonly string[]): SqlFragment {
  return fragment`array(select json_array_elements_text(${JSON.stringify(values)}::text::json))`;
}

function literal(value: SqlValue): string {
  if (value instanceof SqlFragment) return value.text;
  if (value === null) return "NULL";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`Cannot inline the number ${value} into SQL.`);
    return `'${String(value)}'`;
  }
  if (typeof value !== "string") throw new TypeError(`Cannot inline a ${typeof value} into SQL.`);
  if (value.includes("\0")) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `The text ${JSON.stringify(value.slice(0, 60))} holds a NUL character, which Postgres text cannot store. Remove it (IDs, names and keys are stored as text).`,
    );
  }
  // An escape string reads the same whatever standard_conforming_strings is set to.
  return `E'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}
