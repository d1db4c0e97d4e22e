// What the notifications test files share: a silent logger, a context on the test database, and
// a short-lived direct connection for inspecting or staging rows.
import { createDBOSContext, type DBOSConfig, type DBOSContext } from "@durably/core";
import { openSystemDatabase, type SystemDatabase } from "@durably/sysdb";

export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A context for `appName` on the database at `url`, polling every 200 ms unless `config` says otherwise. */
export function testContext(
  url: string,
  appName: string,
  applicationVersion: string,
  config: Partial<DBOSConfig> = {},
): DBOSContext {
  return createDBOSContext({
    appName,
    systemDatabaseUrl: url,
    applicationVersion,
    logger: quietLogger,
    pollIntervalMs: 200,
    ...config,
  });
}

/** Runs `fn` on its own system-database connection, closed afterwards. */
export async function withSysdb<T>(url: string, fn: (sysdb: SystemDatabase) => Promise<T>): Promise<T> {
  const sysdb = openSystemDatabase({ url, poolSize: 2 });
  try {
    return await fn(sysdb);
  } finally {
    await sysdb.close();
  }
}
