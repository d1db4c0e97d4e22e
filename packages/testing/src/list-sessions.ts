// Both the template builder and the leak check need to see who is still connected to a database.
import type { Sql } from "postgres";

/** A session connected to a database, as pg_stat_activity shows it. */
export interface Session {
  readonly pid: number;
  readonly applicationName: string;
  readonly state: string | null;
  readonly query: string;
}

/** Sessions connected to `database`, other than the caller's own. */
export async function listSessions(sql: Sql, database: string): Promise<Session[]> {
  return sql<Session[]>`
    select pid, application_name as "applicationName", state, left(query, 200) as query
    from pg_stat_activity
    where datname = ${database} and pid <> pg_backend_pid()
    order by pid`;
}

/** One line per session: `pid 123 application_name="x" state=idle query="select 1"`. */
export function describeSessions(sessions: readonly Session[]): string {
  const describe = (s: Session) =>
    `pid ${s.pid} application_name=${JSON.stringify(s.applicationName)} state=${s.state ?? "?"} ` +
    `query=${JSON.stringify(s.query)}`;
  return sessions.map(describe).join("\n");
}
