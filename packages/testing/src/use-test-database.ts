// The one-line way for a vitest file to get its own database and a leak check when it finishes.
import { afterAll, beforeAll } from "vitest";
import { checkForLeaks } from "./check-for-leaks.js";
import { createTestDatabase, type TestDatabase } from "./create-test-database.js";
import type { TestDatabaseTemplate } from "./ensure-template-database.js";
import { snapshotActiveResources, type ActiveResources } from "./snapshot-active-resources.js";
import { TestDatabaseError } from "./test-database-error.js";
import { withDatabase } from "./with-database.js";
import { checkTestingOptions } from "./check-testing-options.js";

/** Options of {@link useTestDatabase}. */
export interface UseTestDatabaseOptions {
  /** Clone this template instead of creating an empty database. Default: an empty database. */
  readonly template?: TestDatabaseTemplate;
  /** How long sessions and handles may take to go away after the tests, in ms. Default: 2000. */
  readonly graceMs?: number;
  /** Timeout of the beforeAll and afterAll hooks, in ms. Default: 120000. */
  readonly hookTimeoutMs?: number;
}

/** The test file's database; its properties are readable inside tests and hooks. */
export interface TestDatabaseRef {
  readonly url: string;
  readonly name: string;
}

/**
 * Gives the calling test file a database of its own. Call it at the top level of the file: it
 * registers a `beforeAll` that creates the database and an `afterAll` that fails the file if any
 * session is still connected to it or more handles are active than before, then drops it.
 *
 * @example
 * ```ts
 * const db = useTestDatabase({ template: migratedTemplate }); // migratedTemplate from @durably/core
 * test("reads", async () => {
 *   const sql = postgres(db.url);
 *   try { expect(await sql`select 1 as x`).toEqual([{ x: 1 }]); } finally { await sql.end(); }
 * });
 * ```
 */
export function useTestDatabase(options: UseTestDatabaseOptions = {}): TestDatabaseRef {
  checkTestingOptions("useTestDatabase", options, {
    template: "object",
    graceMs: "milliseconds",
    hookTimeoutMs: "milliseconds",
  });
  const timeout = options.hookTimeoutMs ?? 120_000;
  let database: TestDatabase | undefined;
  let baseline: ActiveResources = {};

  beforeAll(async () => {
    baseline = snapshotActiveResources();
    database = await createTestDatabase({ template: options.template });
  }, timeout);

  afterAll(async () => {
    if (!database) return;
    const adminUrl = withDatabase(database.url, "postgres");
    const leaks = await checkForLeaks({ adminUrl, database: database.name, baseline, graceMs: options.graceMs });
    // The check has named any session left over; waiting for it again would only slow the failure.
    await database.drop({ force: leaks.length > 0 });
    if (leaks.length > 0) {
      const message =
        `This test file left things behind; close them in the ` + `tests or an afterAll:\n- ${leaks.join("\n- ")}`;
      throw new TestDatabaseError("LEAK", message);
    }
  }, timeout);

  const current = (): TestDatabase => {
    if (database) return database;
    throw new Error("useTestDatabase(): the database exists only inside tests and hooks, after beforeAll has run.");
  };
  return Object.freeze({
    get url() {
      return current().url;
    },
    get name() {
      return current().name;
    },
  });
}
