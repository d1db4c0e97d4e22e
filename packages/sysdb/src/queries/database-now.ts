// Now, by the database's clock: queue limits, start times and deadlines never trust a worker's clock.
import { sql, type RawBuilder } from "kysely";

/** Now, in epoch ms, by the database's clock. A `sql` fragment: Kysely has no construct for `extract`. */
export const databaseNow: RawBuilder<number> = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::int8`;
