// The one Postgres server of a run, found like the tests find theirs, and the benchmark's
// databases on it: one per library (recreated per run), one for the INSERT probe, one per
// library for cold launches (dropped before each).
import { provisionTestServer, withDatabase } from "@durably/testing";
import postgres from "postgres";

export interface BenchServer {
  /** Where it came from: `DURABLY_BENCH_DATABASE_URL` (`bench-env`) or a provisionTestServer kind. */
  readonly kind: string;
  /** `host:port`, without credentials. */
  readonly host: string;
  /** URL of `database` on this server. */
  url(database: string): string;
  /** Drops `database` if it exists (ending its sessions) and creates it empty. */
  recreate(database: string): Promise<void>;
  drop(database: string): Promise<void>;
  /** VACUUM (ANALYZE) of `database`: what autovacuum would have done by now on a server that runs it. */
  vacuum(database: string): Promise<void>;
  /** `select version()` and the settings that bound a commit. */
  describe(): Promise<{ version: string; settings: Record<string, string> }>;
  stop(): Promise<void>;
}

export async function openBenchServer(log: (line: string) => void): Promise<BenchServer> {
  const given = process.env.DURABLY_BENCH_DATABASE_URL;
  const server = given
    ? { url: withDatabase(given, "postgres"), kind: "bench-env", stop: async () => undefined }
    : await provisionTestServer({ log });
  const admin = postgres(server.url, {
    max: 1,
    onnotice: () => undefined,
    connection: { application_name: "durably-bench-admin" },
  });
  const drop = async (database: string) => {
    await admin`drop database if exists ${admin(database)} with (force)`;
  };
  return {
    kind: server.kind,
    host: new URL(server.url).host,
    url: (database) => withDatabase(server.url, database),
    drop,
    async recreate(database) {
      await drop(database);
      await admin`create database ${admin(database)}`;
    },
    async vacuum(database) {
      const sql = postgres(withDatabase(server.url, database), {
        max: 1,
        onnotice: () => undefined,
        connection: { application_name: "durably-bench-admin" },
      });
      try {
        await sql`vacuum (analyze)`;
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
    async describe() {
      const [{ version }] = (await admin`select version()`) as unknown as [{ version: string }];
      const rows = await admin`
        select name, setting from pg_settings
        where name in ('synchronous_commit', 'fsync', 'wal_sync_method', 'shared_buffers', 'max_connections',
          'commit_delay', 'autovacuum')`;
      return { version, settings: Object.fromEntries(rows.map((r) => [r.name as string, r.setting as string])) };
    },
    async stop() {
      await admin.end({ timeout: 5 });
      await server.stop();
    },
  };
}
