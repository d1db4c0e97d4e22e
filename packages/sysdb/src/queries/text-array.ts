// Lists of strings as one JSON parameter. postgres.js can only send array parameters after
// fetching the server's array types on every new connection, and a connection lost during that
// fetch leaves a rejection unhandled (porsager/postgres#1192), so the pool runs with
// fetch_types off and lists travel as JSON. Kysely has no ARRAY(subquery) constructor: a `sql` fragment.
import { sql, type RawBuilder } from "kysely";

/** A text[] holding `values`, for `= any(…)` and `<> all(…)`. */
export function textArray(values: readonly string[]): RawBuilder<string[]> {
  return textArrayOfJson(JSON.stringify(values));
}

/** A text[] from `json`, a JSON array of strings: for a CompiledStatement, whose parameter is that text. */
export function textArrayOfJson(json: string): RawBuilder<string[]> {
  return sql<string[]>`array(select json_array_elements_text(${json}::text::json))`;
}
