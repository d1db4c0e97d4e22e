// Tests reach into a database behind durably's back (to break or age a schema) with one statement.
import postgres from "postgres";

/** Runs `statement` (one or more SQL statements, no parameters) on the database at `url`. */
export async function executeSql(url: string, statement: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
