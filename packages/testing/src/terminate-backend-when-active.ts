// Kills a session while it runs a statement, the way an administrator or a failover would.
import { connectAdmin } from "./connect-admin.js";
import { sleep } from "./sleep.js";

/**
 * Waits until the backend `pid` is running a statement, then ends it with pg_terminate_backend
 * (its client gets SQLSTATE 57P01, admin_shutdown). Rejects when it is not active within
 * `timeoutMs` (default 10 000).
 */
export async function terminateBackendWhenActive(url: string, pid: number, timeoutMs = 10_000): Promise<void> {
  const sql = connectAdmin(url);
  try {
    for (const deadline = Date.now() + timeoutMs; ; await sleep(10)) {
      const [row] = await sql`select state from pg_stat_activity where pid = ${pid}`;
      if (row?.state === "active") {
        await sql`select pg_terminate_backend(${pid})`;
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`backend ${pid} ran no statement within ${timeoutMs} ms (state: ${String(row?.state)})`);
      }
    }
  } finally {
    await sql.end();
  }
}
