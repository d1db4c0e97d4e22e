// Administrative statements (CREATE/DROP DATABASE, advisory locks) go through one small, bounded connection.
import postgres, { type Sql } from "postgres";

/** The application_name of this package's own sessions, so leak checks can tell them apart. */
export const ADMIN_APPLICATION_NAME = "durably-testing-admin";

/** Opens a single-connection pool on `url`. The caller must `await sql.end()`. */
export function connectAdmin(url: string): Sql {
  return postgres(url, {
    max: 1,
    prepare: false,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: ADMIN_APPLICATION_NAME },
  });
}
