// The floor under any checkpoint: how many single-row INSERT commits per second this server
// takes on one connection and on N connections, and how long one commit takes after the
// connection sat idle, measured with postgres.js (the driver durably uses).
import { setTimeout as delay } from "node:timers/promises";
import postgres, { type Sql } from "postgres";
import { percentile } from "./sample-stats.js";
import { settleMs } from "./scenarios/messages.js";

export interface PhysicalLimit {
  readonly commitsPerSecOne: number;
  readonly commitsPerSecMany: number;
  readonly connections: number;
  /**
   * p50 of one INSERT commit issued after the connection sat idle for `idleMs` (as the messaging
   * scenario's waiter does): the floor under a hand-over that must commit before it returns.
   */
  readonly idleCommitP50Ms: number;
}

/** The idle time before each of the idle commits: the messaging scenario's settle time. */
export const idleMs = settleMs;

/** Runs an INSERT loop on 1 connection, then on `connections` at once, `durationMs` each. */
export async function measurePhysicalLimit(
  url: string,
  durationMs: number,
  connections: number,
): Promise<PhysicalLimit> {
  const sql = postgres(url, {
    max: connections,
    onnotice: () => undefined,
    connection: { application_name: "durably-bench-probe" },
  });
  try {
    await sql`create table if not exists scratch (id bigserial, v text)`;
    await sql`truncate scratch`;
    const commitsPerSecOne = await insertLoop(sql, 1, durationMs);
    const commitsPerSecMany = await insertLoop(sql, connections, durationMs);
    const idleCommitP50Ms = await idleCommits(sql, Math.max(10, Math.round(durationMs / idleMs)));
    await sql`truncate scratch`;
    return { commitsPerSecOne, commitsPerSecMany, connections, idleCommitP50Ms };
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

/** `samples` single-row INSERT commits on one connection, each after `idleMs` of idleness; their p50. */
async function idleCommits(sql: Sql, samples: number): Promise<number> {
  const c = await sql.reserve();
  try {
    await c`insert into scratch (v) values (${"warm-up"})`;
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      await delay(idleMs);
      const started = performance.now();
      await c`insert into scratch (v) values (${"x"})`;
      times.push(performance.now() - started);
    }
    return percentile(times, 50);
  } finally {
    c.release();
  }
}
