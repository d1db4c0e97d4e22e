// `pnpm test:pg 13` runs the suites on an embedded Postgres 13 and sets DURABLY_TEST_POSTGRES_MAJOR:
// a run that quietly used another server would claim a version it never tested.
import { connectAdmin } from "./connect-admin.js";
import { maskPassword } from "./mask-password.js";
import { TestDatabaseError } from "./test-database-error.js";

/**
 * Throws TestDatabaseError WRONG_MAJOR unless the server at `url` runs Postgres `expected` (a major
 * such as "13" or "17", from `server_version_num`); does nothing when `expected` is undefined or "".
 * Resolves the major the server runs.
 *
 * @example
 * ```ts
 * await checkServerMajor(server.url, process.env.DURABLY_TEST_POSTGRES_MAJOR);
 * ```
 */
export async function checkServerMajor(url: string, expected: string | undefined): Promise<number> {
  const sql = connectAdmin(url);
  let major: number;
  try {
    const [row] = await sql<{ num: string }[]>`select current_setting('server_version_num') as num`;
    major = Math.floor(Number(row!.num) / 10_000);
  } finally {
    await sql.end({ timeout: 5 });
  }
  if (expected === undefined || expected === "") return major;
  if (!/^\d+$/.test(expected))
    throw new TestDatabaseError(
      "INVALID_ARGUMENT",
      `DURABLY_TEST_POSTGRES_MAJOR must be a Postgres major version such as 13 or 17, got ${JSON.stringify(expected)}.`,
    );
  if (major !== Number(expected))
    throw new TestDatabaseError(
      "WRONG_MAJOR",
      `DURABLY_TEST_POSTGRES_MAJOR is ${expected} but ${maskPassword(url)} runs Postgres ${major}: ` +
        "point DURABLY_TEST_DATABASE_URL at a server of that major, or run `pnpm test:pg <major>`.",
    );
  return major;
}
