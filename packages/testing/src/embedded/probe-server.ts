// One bounded connection attempt, used both to wait for a starting server and to recognise a running one.
import postgres from "postgres";

/** Connects to `url` once and returns the server's data directory; throws if it does not answer. */
export async function probeServer(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, idle_timeout: 1, prepare: false, onnotice: () => {} });
  try {
    const [row] = await sql<{ data_directory: string }[]>`select current_setting('data_directory') as data_directory`;
    return row?.data_directory ?? "";
  } finally {
    await sql.end({ timeout: 1 });
  }
}
