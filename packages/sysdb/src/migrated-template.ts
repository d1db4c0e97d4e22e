// A database template with the system schema applied: for @durably/testing's useTestDatabase and
// createTestDatabase, so every test database starts migrated without migrating each one.
import { migrateSystemDatabase, schemaFingerprint } from "./migrate.js";
import { openSystemDatabase } from "./system-database.js";

/**
 * Its key changes whenever a migration changes, so a stale template is never reused.
 *
 * @example
 * const db = useTestDatabase({ template: migratedTemplate });
 */
export const migratedTemplate = Object.freeze({
  key: `durably-schema-${schemaFingerprint}`,
  async setup(url: string): Promise<void> {
    const sysdb = openSystemDatabase({ url });
    try {
      await migrateSystemDatabase(sysdb);
    } finally {
      await sysdb.close();
    }
  },
});
