// A test that leaves a connection or a timer behind breaks the next one in ways that are hard to
// trace; this names what was left, after giving honest shutdowns a moment to finish.
import { connectAdmin } from "./connect-admin.js";
import { describeSessions, listSessions, type Session } from "./list-sessions.js";
import { sleep } from "./sleep.js";
import { describeResourceGrowth, snapshotActiveResources, type ActiveResources } from "./snapshot-active-resources.js";
import { checkTestingOptions } from "./check-testing-options.js";

/** Options of {@link checkForLeaks}. */
export interface CheckForLeaksOptions {
  /** Superuser URL of the server that holds `database`. */
  readonly adminUrl: string;
  /** The test database whose sessions must all be gone. */
  readonly database: string;
  /** Active resources counted before the tests ran (see {@link snapshotActiveResources}). */
  readonly baseline: ActiveResources;
  /** How long sessions and handles may take to go away, in ms. Default: 2000. */
  readonly graceMs?: number;
}

/**
 * Returns one message per leak (empty when clean): sessions still connected to `database`, and
 * active resources (timers, sockets, ...) above `baseline`. Waits up to `graceMs` for each to clear.
 *
 * @example
 * ```ts
 * const baseline = snapshotActiveResources();
 * // ... run code that should clean up after itself ...
 * expect(await checkForLeaks({ adminUrl, database: db.name, baseline })).toEqual([]);
 * ```
 */
export async function checkForLeaks(options: CheckForLeaksOptions): Promise<string[]> {
  checkTestingOptions("checkForLeaks", options, {
    adminUrl: "string",
    database: "string",
    baseline: "object",
    graceMs: "milliseconds",
  });
  const graceMs = options.graceMs ?? 2_000;
  const leaks: string[] = [];
  const sessions = await remainingSessions(options.adminUrl, options.database, graceMs);
  if (sessions.length > 0) {
    leaks.push(`${sessions.length} session(s) still connected to ${options.database}:\n${describeSessions(sessions)}`);
  }
  // Counted after the admin connection above has closed, so it is not mistaken for a leak.
  const deadline = Date.now() + graceMs;
  let growth = describeResourceGrowth(options.baseline, snapshotActiveResources());
  while (growth.length > 0 && Date.now() < deadline) {
    await sleep(50);
    growth = describeResourceGrowth(options.baseline, snapshotActiveResources());
  }
  if (growth.length > 0) leaks.push(`active handles above the count before the tests: ${growth.join(", ")}`);
  return leaks;
}

async function remainingSessions(adminUrl: string, database: string, graceMs: number): Promise<Session[]> {
  const admin = connectAdmin(adminUrl);
  try {
    const deadline = Date.now() + graceMs;
    let sessions = await listSessions(admin, database);
    while (sessions.length > 0 && Date.now() < deadline) {
      await sleep(50);
      sessions = await listSessions(admin, database);
    }
    return sessions;
  } finally {
    await admin.end({ timeout: 5 });
  }
}
