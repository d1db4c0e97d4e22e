// Each test file gets a database of its own, cloned from a template so setup (migrations) runs once.
import { connectAdmin } from "./connect-admin.js";
import { dropDatabase } from "./drop-database.js";
import { dropOldTestDatabases } from "./drop-old-test-databases.js";
import { ensureTemplateDatabase, type TestDatabaseTemplate } from "./ensure-template-database.js";
import { provisionTestServer } from "./provision-test-server.js";
import { templateDatabaseName } from "./template-database-name.js";
import { newTestDatabaseName } from "./test-database-name.js";
import { withDatabase } from "./with-database.js";
import { checkTestingOptions } from "./check-testing-options.js";

/** Options of {@link createTestDatabase}. */
export interface CreateTestDatabaseOptions {
  /** Clone this template instead of creating an empty database. Default: an empty database. */
  readonly template?: TestDatabaseTemplate;
  /**
   * Superuser URL of the server. Default: `DURABLY_TEST_ADMIN_URL` (set by the global setup),
   * else whatever {@link provisionTestServer} finds.
   */
  readonly adminUrl?: string;
  /** Environment to read the variables above from. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for another process building the same template, in ms. Default: 120000. */
  readonly templateTimeoutMs?: number;
}

/** A fresh database of one's own. */
export interface TestDatabase {
  /** URL of this database, with the admin URL's credentials. */
  readonly url: string;
  readonly name: string;
  /**
   * Drops the database, forcing out sessions that have not left after 5 s (at once with
   * `{ force: true }`). Safe to call twice.
   */
  drop(options?: { force?: boolean }): Promise<void>;
}

/**
 * Creates a uniquely named database (`durably_test_...`), cloned from `template` when given; the
 * template is built once per key, even when several processes ask at the same time. Test databases
 * older than an hour, left by earlier runs, are dropped on the way.
 *
 * @example
 * ```ts
 * const db = await createTestDatabase({
 *   template: {
 *     key: "shop-v3",
 *     setup: async (url) => {
 *       const sql = postgres(url);
 *       await sql`create table t (id int)`;
 *       await sql.end();
 *     },
 *   },
 * });
 * try { ... use db.url ... } finally { await db.drop(); }
 * ```
 */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  checkTestingOptions("createTestDatabase", options, {
    template: "object",
    adminUrl: "string",
    env: "object",
    templateTimeoutMs: "milliseconds",
  });
  const env = options.env ?? process.env;
  if (options.template) templateDatabaseName(options.template.key); // validate before any I/O
  const adminUrl = options.adminUrl ?? env.DURABLY_TEST_ADMIN_URL ?? (await provisionTestServer({ env })).url;
  const admin = connectAdmin(adminUrl);
  try {
    await dropOldTestDatabases(admin);
    const timeoutMs = options.templateTimeoutMs ?? 120_000;
    const template = options.template && (await ensureTemplateDatabase(admin, adminUrl, options.template, timeoutMs));
    const name = newTestDatabaseName();
    if (template) await admin`create database ${admin(name)} template ${admin(template)}`;
    else await admin`create database ${admin(name)}`;
    const drop = (dropOptions?: { force?: boolean }) => dropDatabase(adminUrl, name, dropOptions?.force);
    return Object.freeze({ url: withDatabase(adminUrl, name), name, drop });
  } finally {
    await admin.end({ timeout: 5 });
  }
}
