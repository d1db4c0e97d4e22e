// A Postgres already running on this machine (the usual 127.0.0.1:5432 with trust auth) is the
// cheapest server for tests: one quick, bounded probe tells whether it is there.
import postgres from "postgres";

/** The URL probed unless DURABLY_TEST_LOCAL_URL says otherwise ("off" skips the probe). */
export const defaultLocalServerUrl = "postgres://postgres@127.0.0.1:5432/postgres";

/** True when a superuser session on `url` opens and answers within about a second. */
export async function localServerAnswers(url: string): Promise<boolean> {
  const sql = postgres(url, {
    max: 1,
    connect_timeout: 1,
    onnotice: () => {},
    connection: { application_name: "durably-testing-probe" },
  });
  try {
    const [row] = await sql`select rolsuper from pg_roles where rolname = current_user`;
    return row?.rolsuper === true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
