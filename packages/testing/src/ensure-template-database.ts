// Building a template is slow and must happen once even when many test processes ask at the same
// moment: an advisory lock serialises builders, and the template only gets its final name once complete.
import type { Sql } from "postgres";
import { describeSessions, listSessions } from "./list-sessions.js";
import { sleep } from "./sleep.js";
import { templateDatabaseName } from "./template-database-name.js";
import { isTestDatabaseError, TestDatabaseError } from "./test-database-error.js";
import { withDatabase } from "./with-database.js";

/** A template database: built once per `key` by `setup`, then cloned for each test database. */
export interface TestDatabaseTemplate {
  /**
   * Names the template. Change it whenever what `setup` creates changes (for example, append a
   * hash of the migrations): a template that exists under this key is never rebuilt.
   */
  readonly key: string;
  /** Fills the template, connecting to `url`. Must close every connection it opens before resolving. */
  readonly setup: (url: string) => Promise<void>;
}

/**
 * Returns the name of the finished template for `template.key`, building it first if needed.
 * The finished template refuses connections, so nothing can be connected when it is cloned.
 */
export async function ensureTemplateDatabase(
  admin: Sql,
  adminUrl: string,
  template: TestDatabaseTemplate,
  timeoutMs: number,
): Promise<string> {
  const name = templateDatabaseName(template.key);
  if (await databaseExists(admin, name)) return name;
  const conn = await admin.reserve();
  try {
    await conn`select set_config('lock_timeout', ${`${timeoutMs}ms`}, false)`;
    await conn`select pg_advisory_lock(hashtextextended(${name}, 0))`;
    try {
      if (!(await databaseExists(conn, name))) await build(conn, adminUrl, name, template);
    } finally {
      await conn`select pg_advisory_unlock(hashtextextended(${name}, 0))`;
    }
  } catch (err) {
    if (isTestDatabaseError(err)) throw err;
    const message = `Could not build template ${name} (key ${JSON.stringify(template.key)}): ${String(err)}`;
    throw new TestDatabaseError("TEMPLATE", message, { cause: err });
  } finally {
    conn.release();
  }
  return name;
}

async function build(conn: Sql, adminUrl: string, name: string, template: TestDatabaseTemplate): Promise<void> {
  const building = `${name}_building`;
  // Left by a builder that died; we hold the lock, so no one else is using it.
  await conn`drop database if exists ${conn(building)} with (force)`;
  await conn`create database ${conn(building)}`;
  try {
    await template.setup(withDatabase(adminUrl, building));
    await waitUntilDisconnected(conn, building, template.key);
  } catch (err) {
    await conn`drop database if exists ${conn(building)} with (force)`.catch(() => {});
    if (isTestDatabaseError(err)) throw err;
    const message = `Template setup for key ${JSON.stringify(template.key)} failed: ${String(err)}`;
    throw new TestDatabaseError("TEMPLATE", message, { cause: err });
  }
  await conn`alter database ${conn(building)} with is_template true allow_connections false`;
  await conn`alter database ${conn(building)} rename to ${conn(name)}`;
}

/** Setup's connections may take a moment to leave after `sql.end()`; one that stays is a bug in setup. */
async function waitUntilDisconnected(conn: Sql, database: string, key: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const sessions = await listSessions(conn, database);
    if (sessions.length === 0) return;
    if (Date.now() > deadline) {
      throw new TestDatabaseError(
        "TEMPLATE",
        `Template setup for key ${JSON.stringify(key)} left ${sessions.length} session(s) connected; ` +
          `close every connection it opens:\n${describeSessions(sessions)}`,
      );
    }
    await sleep(50);
  }
}

async function databaseExists(sql: Sql, name: string): Promise<boolean> {
  const rows = await sql`select 1 from pg_database where datname = ${name}`;
  return rows.length > 0;
}
