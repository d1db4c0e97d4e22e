// Entry point `@durably/testing/global-setup`: finds or starts one Postgres server per vitest run
// and hands its admin URL to every worker through DURABLY_TEST_ADMIN_URL.
import { checkServerMajor } from "./check-server-major.js";
import { describeTestServer } from "./describe-test-server.js";
import { provisionTestServer } from "./provision-test-server.js";

/**
 * vitest `globalSetup`: provisions the server once, prints one line naming it (how it was found,
 * its URL without password, its version), sets `DURABLY_TEST_ADMIN_URL` for the workers
 * (which inherit the environment), fails when the server is not the major `DURABLY_TEST_POSTGRES_MAJOR`
 * names (if set), and returns the teardown, which stops an embedded server or
 * container this run started but leaves a reused one running.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ["@durably/testing/global-setup"] } });
 * ```
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.DURABLY_TEST_ADMIN_URL) return async () => {}; // an outer run already provides it
  const server = await provisionTestServer();
  process.stdout.write(`${await describeTestServer(server)}\n`);
  try {
    await checkServerMajor(server.url, process.env.DURABLY_TEST_POSTGRES_MAJOR);
  } catch (err) {
    await server.stop();
    throw err;
  }
  process.env.DURABLY_TEST_ADMIN_URL = server.url;
  return async () => {
    delete process.env.DURABLY_TEST_ADMIN_URL;
    await server.stop();
  };
}
