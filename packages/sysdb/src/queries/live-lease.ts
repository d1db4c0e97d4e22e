// Whether an executor lease is live: not ended, and renewed within its lapse by the database's clock.
import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import type { DurablyExecutorLeasesTable } from "../tables.js";
import { milliseconds } from "./milliseconds.js";

/**
 * `l.ended_at is null and l.renewed_at + l.lapse_ms * interval '1 millisecond' >= clock_timestamp()`,
 * for a query that reads the leases as `l`.
 */
export function leaseIsLive(eb: ExpressionBuilder<{ l: DurablyExecutorLeasesTable }, "l">): Expression<SqlBool> {
  const lapse = milliseconds(eb.ref("l.lapse_ms"));
  return eb.and([
    eb("l.ended_at", "is", null),
    eb(eb("l.renewed_at", "+", lapse), ">=", eb.fn<Date>("clock_timestamp")),
  ]);
}
