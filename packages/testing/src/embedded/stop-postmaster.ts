// Stopping a server must not hang either: fast shutdown, then immediate shutdown, each bounded.
import { TestDatabaseError } from "../test-database-error.js";
import { sleep } from "../sleep.js";
import { isAlive } from "./inspect-process.js";

/** Stops the postmaster `pid` (SIGINT, then SIGQUIT), waiting at most `timeoutMs` for each. */
export async function stopPostmaster(pid: number, timeoutMs = 15_000): Promise<void> {
  for (const signal of ["SIGINT", "SIGQUIT"] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return; // already gone
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return;
      await sleep(50);
    }
  }
  throw new TestDatabaseError("EMBEDDED_START", `Postgres (PID ${pid}) did not stop within ${2 * timeoutMs} ms.`);
}
