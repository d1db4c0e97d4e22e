// Cross-package tests run against real Postgres; DBOS's CLI and pg_dump make them slower than unit tests.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**"],
    globalSetup: ["@durably/testing/global-setup"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
