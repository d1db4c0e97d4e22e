// Sending NOTIFYs in bulk, outside the write transactions they announce (a NOTIFY in a hot
// transaction serialises every commit on Postgres's notify queue lock).
import type { SystemDatabase } from "../system-database.js";

/**
 * NOTIFYs `channel` once per payload, in one statement. A wake-up need not survive a crash, so
 * the statement commits without waiting for the WAL flush (synchronous_commit off, for it alone):
 * it costs a round trip, not an fsync.
 */
export async function sendNotifications(sysdb: SystemDatabase, channel: string, payloads: readonly string[]): Promise<void> {
  if (payloads.length === 0) return;
  const { sql } = sysdb;
  await sql`
    select set_config('synchronous_commit', 'off', true), pg_notify(${channel}, p)
    from json_array_elements_text(${JSON.stringify(payloads)}::text::json) as p`;
}
