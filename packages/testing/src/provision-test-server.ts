// Tests need a Postgres server; this finds or starts one in a fixed order of preference.
import { dockerEngineAnswers } from "./docker-engine-answers.js";
import { defaultLocalServerUrl, localServerAnswers } from "./local-server-answers.js";
import { defaultTestDataDir, startEmbeddedPostgres } from "./start-embedded-postgres.js";
import { startPostgresContainer } from "./start-postgres-container.js";
import { PROVIDE_DATABASE_HINT, TestDatabaseError } from "./test-database-error.js";
import { withDatabase } from "./with-database.js";
import { checkTestingOptions } from "./check-testing-options.js";

/** A Postgres server for tests. */
export interface TestServer {
  /** Superuser URL of the server's `postgres` database. */
  readonly url: string;
  /**
   * Where it came from: `DURABLY_TEST_DATABASE_URL`, a Docker container, the machine's own server, or an embedded
   * server.
   */
  readonly kind: "env" | "container" | "local" | "embedded";
  /** The same for people: "DURABLY_TEST_DATABASE_URL", "embedded Postgres in /tmp/durably-test-pg-1000" … */
  readonly source: string;
  /** Stops what this call started: the container, or an embedded server it did not merely reuse. */
  stop(): Promise<void>;
}

/** Options of {@link provisionTestServer}. */
export interface ProvisionTestServerOptions {
  /** Environment to read `DURABLY_TEST_DATABASE_URL` and `DOCKER_HOST` from. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Data folder of the embedded server. Default: `<os.tmpdir()>/durably-test-pg-<uid>`. */
  readonly dataDir?: string;
  /** Receives one line per notable event. Default: silent. */
  readonly log?: (message: string) => void;
  /** Upper bound for starting the embedded server, in ms. Default: 60000. */
  readonly startTimeoutMs?: number;
}

/**
 * Finds or starts a Postgres server, in this order: `DURABLY_TEST_DATABASE_URL` if set (any
 * database in it; the returned URL points at `postgres` on the same server); else a container via
 * `@testcontainers/postgresql` if a Docker engine answers; else the machine's own server if one
 * answers as a superuser at `DURABLY_TEST_LOCAL_URL` (default 127.0.0.1:5432 as `postgres`;
 * `off` skips it); else an embedded server.
 *
 * @example
 * ```ts
 * const server = await provisionTestServer();
 * try { ... use server.url ... } finally { await server.stop(); }
 * ```
 */
export async function provisionTestServer(options: ProvisionTestServerOptions = {}): Promise<TestServer> {
  checkTestingOptions("provisionTestServer", options, {
    env: "object",
    dataDir: "string",
    log: "function",
    startTimeoutMs: "milliseconds",
  });
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const given = env.DURABLY_TEST_DATABASE_URL;
  if (given) {
    try {
      const url = withDatabase(given, "postgres");
      return { url, kind: "env", source: "DURABLY_TEST_DATABASE_URL", stop: async () => {} };
    } catch (err) {
      throw new TestDatabaseError(
        "NO_SERVER",
        `DURABLY_TEST_DATABASE_URL is not a valid URL. ${PROVIDE_DATABASE_HINT}`,
        { cause: err },
      );
    }
  }
  if (await dockerEngineAnswers(env)) {
    try {
      const container = await startPostgresContainer();
      const source = "a Postgres container (Docker)";
      return { url: container.url, kind: "container", source, stop: () => container.stop() };
    } catch (err) {
      log(`Docker answers but no Postgres container started (${String(err)}); trying embedded Postgres`);
    }
  }
  const localUrl = env.DURABLY_TEST_LOCAL_URL ?? defaultLocalServerUrl;
  if (localUrl !== "off" && (await localServerAnswers(localUrl))) {
    log(`using the Postgres server at ${new URL(localUrl).host}`);
    const source = `the machine's server${env.DURABLY_TEST_LOCAL_URL ? " (DURABLY_TEST_LOCAL_URL)" : ""}`;
    return { url: withDatabase(localUrl, "postgres"), kind: "local", source, stop: async () => {} };
  }
  const dataDir = options.dataDir ?? defaultTestDataDir();
  try {
    const settings = { fsync: "off", synchronous_commit: "off", full_page_writes: "off" };
    const server = await startEmbeddedPostgres({ dataDir, settings, log, startTimeoutMs: options.startTimeoutMs });
    const source = `embedded Postgres in ${server.dataDir}`;
    return { url: server.url, kind: "embedded", source, stop: () => server.stop() };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const message = `No Postgres server for tests: no Docker engine answered, and ${reason}\n${PROVIDE_DATABASE_HINT}`;
    throw new TestDatabaseError("NO_SERVER", message, { cause: err });
  }
}
