// A sql.begin() transaction whose backend is terminated mid-statement: stock postgres.js 3.4.7
// still sends the ROLLBACK to the dead connection (porsager/postgres#1208). That ROLLBACK stays
// the connection's current query, so end() never returns; and when the pool reconnects that
// connection for other queries, the stray write throws outside any promise ("write
// CONNECTION_CLOSED", "Cannot set properties of null (setting 'parsing')"). patches/postgres@3.4.7.patch
// makes a transaction reject its queries, the ROLLBACK included, once its connection has closed.
import postgres from "#postgres";
import { terminateBackendWhenActive } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterEach, beforeEach, expect, test } from "vitest";

const db = useTestDatabase();
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);
beforeEach(() => {
  uncaught.length = 0;
  process.on("uncaughtException", onUncaught);
});
afterEach(() => {
  process.off("uncaughtException", onUncaught);
});

/** Resolves to "timed out" if `promise` has not settled within `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<"timed out">((resolve) => setTimeout(resolve, ms, "timed out").unref())]);

/** Runs a transaction whose backend is terminated while it runs pg_sleep; waits for its body to finish. */
async function cutTransaction(sql: postgres.Sql, { raceRollback = false } = {}) {
  let seen: string | undefined;
  let bodyDone!: () => void;
  const bodyFinished = new Promise<void>((resolve) => (bodyDone = resolve));
  const cut = sql.begin(async (trx) => {
    try {
      const [{ pid }] = (await trx`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      const sleeping = trx`select pg_sleep(30)`.execute().then(
        () => undefined,
        (error: { code?: string }) => ((seen = error.code), error),
      );
      await terminateBackendWhenActive(db.url, pid);
      const error = await sleeping;
      // begin() rejects once the pool saw the connection close: only then does the body throw,
      // so that its ROLLBACK is issued on a closed connection, as when the body has more to do.
      await settled;
      throw error ?? new Error("pg_sleep was not interrupted");
    } finally {
      bodyDone();
    }
  });
  const settled = cut.then(
    () => "committed",
    (error: { code?: string }) => error.code,
  );
  const outcome = await within(settled, 20_000);
  expect(await within(bodyFinished, 20_000)).toBeUndefined();
  // The body's ROLLBACK is issued on the next microtasks and written on a setImmediate: unless the
  // caller wants to race it, let both happen.
  if (!raceRollback) for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
  // The premise: the backend was terminated while pg_sleep ran.
  expect(seen).toBe("57P01");
  expect(["57P01", "CONNECTION_CLOSED", "ECONNRESET"]).toContain(outcome);
}

/** Runs `body` on a pool of four; `body` ends the pool (without a timeout) and says so. */
async function withPool(body: (sql: postgres.Sql, ending: () => void) => Promise<void>) {
  const sql = postgres(db.url, { max: 4, onnotice: () => undefined });
  let ended = false;
  try {
    await body(sql, () => (ended = true));
    // A stray write would throw from a timer: give pending timers a turn before looking.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(uncaught).toEqual([]);
  } finally {
    // A failure before end(): close the pool so the file leaves nothing behind.
    if (!ended) await sql.end({ timeout: 1 });
  }
}

test(
  "after a transaction cut mid-statement, end() returns without a timeout",
  () =>
    withPool(async (sql, ending) => {
      await cutTransaction(sql);
      ending();
      expect(
        await within(
          sql.end().then(() => "ended"),
          20_000,
        ),
      ).toBe("ended");
    }),
  60_000,
);

test(
  "after a transaction cut mid-statement, the pool reuses its connection under load and ends",
  () =>
    withPool(async (sql, ending) => {
      await cutTransaction(sql, { raceRollback: true });
      // Eight queries on four connections: the cut one is reconnected and reused.
      const rows = await within(Promise.all(Array.from({ length: 8 }, (_, i) => sql`select ${i}::int as i`)), 20_000);
      expect(rows === "timed out" ? rows : rows.map(([row]) => row!.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      ending();
      expect(
        await within(
          sql.end().then(() => "ended"),
          20_000,
        ),
      ).toBe("ended");
    }),
  60_000,
);
