// Plain SQL on a test database, for reading and planting rows exactly as stored.
import postgres from "postgres";

export type RawSql = postgres.Sql;

/** Runs `fn` with a one-connection client, closed afterwards. */
export async function withRawSql<T>(url: string, fn: (sql: RawSql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}
