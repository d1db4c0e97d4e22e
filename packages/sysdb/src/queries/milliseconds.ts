// A count of milliseconds as a Postgres interval, for arithmetic with timestamps (lease lapses).
import { type Expression, expressionBuilder, sql } from "kysely";

/** A `sql` fragment: Kysely has no interval literal. Typed as a number for Kysely's `count * …`. */
const oneMillisecond = sql<number>`interval '1 millisecond'`;

/** `count` milliseconds as an interval, typed as a Date for Kysely's arithmetic with timestamps. */
export function milliseconds(count: Expression<number>): Expression<Date> {
  return expressionBuilder()(count, "*", oneMillisecond).$castTo<Date>();
}
