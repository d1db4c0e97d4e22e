// The floor under any checkpoint: how many single-row INSERT commits per second this server
// takes on one connection and on N connections, measured with postgres.js (the driver durably uses).
import postgres, { type Sql } from "postgres";

export interface PhysicalLimit {
  readonly commitsPerSecOne: number;
  readonly commitsPerSecMany: number;
  readonly connections: number;
}

/** Runs an INSERT loop on 1 connection, then on `connections` at once, `durationMs` each. */
export async function measurePhysicalLimit(url: string, durationMs: number, connections: number): Promise<PhysicalLimit> {
  const sql = postgres(url, { max: connections, onnotice: () => undefined, connection: { application_name: "durably-bench-probe" } });
  try {
    await sql`create table if not exists scratch (id bigserial, v text)`;
    await sql`truncate scratch`;
    const commitsPerSecOne = await insertLoop(sql, 1, durationMs);
    const commitsPerSecMany = await insertLoop(sql, connections, durationMs);
    await sql`truncate scratch`;
    return { commitsPerSecOne, commitsPerSecMany, connections };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Each of `connections` reserved connections inserts one row per statement (autocommit) until time is up. */
async function insertLoop(sql: Sql, connections: number, durationMs: number): Promise<number> {
  const reserved = await Promise.all(Array.from({ length: connections }, () => sql.reserve()));
  try {
    // One unmeasured insert per connection: prepares the statement.
    await Promise.all(reserved.map((c) => c`insert into scratch (v) values (${"warm-up"})`));
    let commits = 0;
    const started = performance.now();
    const deadline = started + durationMs;
    await Promise.all(
      reserved.map(async (c) => {
        while (performance.now() < deadline) {
          await c`insert into scratch (v) values (${"x"})`;
          commits++;
        }
      }),
    );
    return (commits / (performance.now() - started)) * 1000;
  } finally {
    for (const c of reserved) c.release();
  }
}
