// Sending NOTIFYs in bulk, outside the write transactions they announce (a NOTIFY in a hot
// transaction serialises every commit on Postgres's notify queue lock).
import { sql } from "kysely";
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";

interface Notifications {
  readonly channel: string;
  /** The payloads, one NOTIFY each, as a JSON array (see text-array.ts). */
  readonly payloads: string;
}

const notifyAll = new CompiledStatement((db, p: Notifications) =>
  db
    .selectFrom((eb) =>
      eb.fn<string>("json_array_elements_text", [eb.cast(eb.cast(eb.val(p.payloads), "text"), "json")]).as("p"),
    )
    .select((eb) => [
      eb.fn("set_config", [sql.lit("synchronous_commit"), sql.lit("off"), sql.lit(true)]).as("set_config"),
      eb.fn("pg_notify", [eb.val(p.channel), sql.ref("p")]).as("pg_notify"),
    ]),
);

/**
 * NOTIFYs `channel` once per payload, in one statement. A wake-up need not survive a crash, so
 * the statement commits without waiting for the WAL flush (synchronous_commit off, for it alone):
 * it costs a round trip, not an fsync.
 */
export async function sendNotifications(on: Queryable, channel: string, payloads: readonly string[]): Promise<void> {
  if (payloads.length === 0) return;
  await notifyAll.execute(on, { channel, payloads: JSON.stringify(payloads) });
}
