// withDatabaseRetry: transient failures are retried within a bound, an attempt that never
// answers (a half-open connection) is abandoned and retried, anything else fails at once. Each
// class of database error is raised by a real server (sysdb's own driver, as in production).
import { openSystemDatabase, type SystemDatabase } from "@durably/sysdb";
import { holdLock, Rendezvous, terminateBackendWhenActive } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withDatabaseRetry } from "../src/database-retry.js";

type Sql = SystemDatabase["sql"];

const db = useTestDatabase();
let sysdb: SystemDatabase;
let sql: Sql;
beforeAll(() => {
  sysdb = openSystemDatabase({ url: db.url, poolSize: 4 });
  sql = sysdb.sql;
});
afterAll(() => sysdb.close());
beforeEach(async () => {
  await sql`drop table if exists items`;
  await sql`create table items (id int primary key, n int not null)`;
  await sql`insert into items values (1, 0), (2, 0)`;
});

/** A logger that records the code of each error withDatabaseRetry retried. */
function recordingLogger() {
  const retried: (string | undefined)[] = [];
  const logger = {
    debug() {},
    info() {},
    error() {},
    warn(_: string, fields?: { error?: { code?: string } }) {
      retried.push(fields?.error?.code);
    },
  };
  return { retried, logger };
}

const reset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104, syscall: "read" });

it("an attempt with no reply is abandoned after attemptTimeoutMs and tried again", async () => {
  let attempts = 0;
  const started = Date.now();
  const value = await withDatabaseRetry(
    "hang once",
    () => (++attempts === 1 ? new Promise<string>(() => undefined) : Promise.resolve("answered")),
    {
      attemptTimeoutMs: 200,
    },
  );
  expect(value).toBe("answered");
  expect(attempts).toBe(2);
  expect(Date.now() - started).toBeGreaterThanOrEqual(190); // timers may fire a hair early by Date.now()
});

it("an abandoned attempt that fails late is not an unhandled rejection", async () => {
  let failLate = (_: unknown) => undefined as void;
  let attempts = 0;
  const value = await withDatabaseRetry(
    "fail late",
    () => (++attempts === 1 ? new Promise<string>((_, reject) => (failLate = reject)) : Promise.resolve("second")),
    { attemptTimeoutMs: 50 },
  );
  failLate(reset());
  await new Promise((r) => setTimeout(r, 20)); // vitest fails the test on an unhandled rejection
  expect(value).toBe("second");
});

it("a refused connection is retried until maxMs, then the last error is thrown", async () => {
  const refused = openSystemDatabase({ url: "postgres://postgres@127.0.0.1:1/none", poolSize: 1 });
  let attempts = 0;
  try {
    const work = () => (attempts++, refused.sql`select 1`);
    const error = await withDatabaseRetry("refused", work, { maxMs: 1_500 }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("ECONNREFUSED");
    expect(attempts).toBeGreaterThan(2);
  } finally {
    await refused.close();
  }
});

describe("permanent errors fail at once: the work runs once", () => {
  it.each([
    ["23505 unique_violation", "23505", () => sql`insert into items values (1, 0)`],
    ["42601 syntax_error", "42601", () => sql.unsafe("selec 1")],
    ["22012 division_by_zero", "22012", () => sql`select 1 / ${0}::int`],
    ["25006 read_only", "25006", () => sql.begin("read only", (t) => t`insert into items values (3, 0)`)],
    // Not raised by the driver for its socket: not a lost connection, whatever its code says.
    [
      "an ECONNRESET-shaped error that the driver did not raise",
      "ECONNRESET",
      async () => {
        await sql`select 1`;
        throw reset();
      },
    ],
  ])("%s", async (_, code, work) => {
    const { retried, logger } = recordingLogger();
    let attempts = 0;
    const counted = () => (attempts++, work());
    const error = await withDatabaseRetry("fail", counted, { logger, maxMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect(attempts).toBe(1);
    expect(retried).toEqual([]);
  });

  it.each([
    ["NOWAIT", ["select * from items where id = 1 for update nowait"]],
    ["lock_timeout", ["set local lock_timeout = '20ms'", "select * from items where id = 1 for update"]],
  ])("55P03 lock_not_available (%s, the row locked by another session)", async (_, statements) => {
    const release = await holdLock(db.url, "select * from items where id = 1 for update");
    const { retried, logger } = recordingLogger();
    let attempts = 0;
    try {
      const work = () =>
        sql.begin(async (t) => {
          attempts++;
          for (const statement of statements) await t.unsafe(statement);
        });
      const error = await withDatabaseRetry("lock", work, { logger, maxMs: 5_000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "55P03" });
      expect(attempts).toBe(1);
      expect(retried).toEqual([]);
    } finally {
      await release();
    }
  });
});

describe("transient errors are retried until the work succeeds", () => {
  it("40001 serialization_failure: two serializable read-modify-writes of one row", async () => {
    const { retried, logger } = recordingLogger();
    const bothRead = new Rendezvous(2);
    let attempts = 0;
    const work = () =>
      sql.begin("isolation level serializable", async (t) => {
        const first = ++attempts <= 2;
        const [row] = await t`select n from items where id = 1`;
        if (first) await bothRead.arrive(); // both snapshots taken before either writes
        await t`update items set n = ${(row!.n as number) + 1} where id = 1`;
        return "bumped";
      });
    const results = await Promise.all([1, 2].map((i) => withDatabaseRetry(`bump ${i}`, work, { logger })));
    expect(results).toEqual(["bumped", "bumped"]);
    expect(retried).toEqual(["40001"]);
    expect(attempts).toBe(3);
    expect(await sql`select n from items where id = 1`).toEqual([{ n: 2 }]);
  });

  it("40P01 deadlock_detected: two sessions lock two rows in opposite orders", async () => {
    const { retried, logger } = recordingLogger();
    const bothLocked = new Rendezvous(2);
    let attempts = 0;
    const lockBoth = (firstID: number, secondID: number) => () =>
      sql.begin(async (t) => {
        const first = ++attempts <= 2;
        await t`set local deadlock_timeout = '50ms'`;
        await t`update items set n = n + 1 where id = ${firstID}`;
        if (first) await bothLocked.arrive();
        await t`update items set n = n + 1 where id = ${secondID}`;
        return "locked";
      });
    const results = await Promise.all([
      withDatabaseRetry("a", lockBoth(1, 2), { logger }),
      withDatabaseRetry("b", lockBoth(2, 1), { logger }),
    ]);
    expect(results).toEqual(["locked", "locked"]);
    expect(retried).toEqual(["40P01"]);
    expect(attempts).toBe(3);
    expect(await sql`select n from items order by id`).toEqual([{ n: 2 }, { n: 2 }]);
  });

  it("57P01 admin_shutdown: the statement's backend is terminated while it runs", async () => {
    const single = openSystemDatabase({ url: db.url, poolSize: 1 });
    const { retried, logger } = recordingLogger();
    let attempts = 0;
    try {
      const [{ pid }] = (await single.sql`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      const work = async () => {
        if (++attempts > 1) return "answered";
        const sleeping = single.sql`select pg_sleep(30)`.execute();
        sleeping.catch(() => undefined); // it fails while we wait below: handled when returned
        await terminateBackendWhenActive(db.url, pid);
        return sleeping;
      };
      expect(await withDatabaseRetry("sleep", work, { logger })).toBe("answered");
      expect(retried).toEqual(["57P01"]);
      expect(attempts).toBe(2);
    } finally {
      await single.close();
    }
  });
});

// One code of each class in sysdb's SQLSTATE table (and a class it does not list), raised by the
// server on the first attempt: the transient ones are retried and the second attempt answers;
// every other one fails at once, with the work run once.
describe("every SQLSTATE class of the table gets what the table says", () => {
  const transient = ["08006", "40001", "40P01", "53300", "57P01", "57P02", "57P03"];
  const permanent = ["22P02", "23502", "23505", "23503", "25006", "3D000", "40002", "42P01", "53100", "55000"];
  permanent.push("55P03", "57014", "P0001", "XX000");
  const raiseOnce = (code: string) => {
    let attempts = 0;
    const work = async () => {
      if (++attempts > 1) return "answered";
      await sql.unsafe(`do $$ begin raise exception using errcode = '${code}'; end $$`);
      return "not raised";
    };
    return { work, attempts: () => attempts };
  };

  it.each(transient)("%s is retried", async (code) => {
    const { retried, logger } = recordingLogger();
    const { work, attempts } = raiseOnce(code);
    expect(await withDatabaseRetry(code, work, { logger, maxMs: 5_000 })).toBe("answered");
    expect([attempts(), retried]).toEqual([2, [code]]);
  });

  it.each(permanent)("%s fails at once", async (code) => {
    const { retried, logger } = recordingLogger();
    const { work, attempts } = raiseOnce(code);
    const error = await withDatabaseRetry(code, work, { logger, maxMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect([attempts(), retried]).toEqual([1, []]);
  });
});
