// One line that says which Postgres a test run uses and how it was found, so a run against the
// machine's server (or an old version) is never a surprise.
import { connectAdmin } from "./connect-admin.js";
import { maskPassword } from "./mask-password.js";
import type { TestServer } from "./provision-test-server.js";

/**
 * "durably tests: using DURABLY_TEST_DATABASE_URL postgres://postgres@127.0.0.1:5432/postgres (PostgreSQL 15.19)":
 * the server's provisioning path, its URL with the password masked, and its version.
 */
export async function describeTestServer(server: TestServer): Promise<string> {
  const sql = connectAdmin(server.url);
  let version: string;
  try {
    const [row] = await sql<{ version: string }[]>`select current_setting('server_version') as version`;
    version = `PostgreSQL ${row!.version.split(" ")[0]}`;
  } catch (err) {
    version = `not answering: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    await sql.end({ timeout: 5 });
  }
  return `durably tests: using ${server.source} ${maskPassword(server.url)} (${version})`;
}
