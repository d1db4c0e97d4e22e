// Lists of strings as one JSON parameter. postgres.js can only send array parameters after
// fetching the server's array types on every new connection, and a connection lost during that
// fetch leaves a rejection unhandled (porsager/postgres#1192), so the pool runs with
// fetch_types off and lists travel as JSON.
import { sql as kyselySql, type RawBuilder } from "kysely";
import type { SystemDatabase } from "../system-database.js";

/** A SQL fragment for a text[] holding `values`. */
export function textList(sql: SystemDatabase["sql"], values: readonly string[]) {
  return sql`array(select json_array_elements_text(${JSON.stringify(values)}::text::json))`;
}

/** The same, for queries built with Kysely. */
export function textArray(values: readonly string[]): RawBuilder<string[]> {
  return kyselySql<string[]>`array(select json_array_elements_text(${JSON.stringify(values)}::text::json))`;
}
