// Entry point `@durably/testing/vitest`: the helpers that register vitest hooks, kept apart so the
// main entry point does not import vitest.
export { useTestDatabase, type TestDatabaseRef, type UseTestDatabaseOptions } from "./use-test-database.js";
