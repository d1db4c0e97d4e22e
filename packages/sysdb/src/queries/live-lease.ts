// Whether an executor lease is live: not ended, and renewed within its lapse by the database's clock.
import { type Expression, type ExpressionBuilder, sql, type SqlBool } from "kysely";
import type { DurablyExecutorLeasesTable } from "../tables.js";

/** A `sql` fragment: Kysely has no interval literal. Typed as a number for Kysely's `lapse_ms * …`. */
const oneMillisecond = sql<number>`interval '1 millisecond'`;

/**
 * `l.ended_at is null and l.renewed_at + l.lapse_ms * interval '1 millisecond' >= clock_timestamp()`,
 * for a query that reads the leases as `l`.
 */
export function leaseIsLive(eb: ExpressionBuilder<{ l: DurablyExecutorLeasesTable }, "l">): Expression<SqlBool> {
  // lapse_ms milliseconds, an interval: typed as a Date, since Kysely's `+` adds values of one type.
  const lapse = eb("l.lapse_ms", "*", oneMillisecond).$castTo<Date>();
  return eb.and([
    eb("l.ended_at", "is", null),
    eb(eb("l.renewed_at", "+", lapse), ">=", eb.fn<Date>("clock_timestamp")),
  ]);
}
