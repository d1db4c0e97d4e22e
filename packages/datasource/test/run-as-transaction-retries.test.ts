// Which database errors runAsTransaction retries, each raised by a real server: transient ones
// (serialization failure, deadlock, a terminated backend) rerun the body until it commits;
// permanent ones (and a user's own ECONNRESET) fail the step at once, with the body run once.
import { connect, createServer } from "node:net";
import postgres from "postgres";
import { createDBOSContext, getWorkflowSteps, launch, registerWorkflow, runWorkflow, shutdown } from "@durably/core";
import type { DBOSContext } from "@durably/core";
import { createTestDatabase, holdLock, refusedPort, Rendezvous, terminateBackendWhenActive } from "@durably/testing";
import type { TestDatabase } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { migratedTemplate } from "@durably/sysdb";
import { postgresDatasource, runAsTransaction, type TransactionStepOptions } from "../src/index.js";

type Trx = postgres.TransactionSql<Record<string, unknown>>;

const system = useTestDatabase({ template: migratedTemplate });
let app: TestDatabase;
let appSql: postgres.Sql;

beforeAll(async () => {
  app = await createTestDatabase();
  appSql = postgres(app.url, { max: 4, onnotice: () => {} });
});
afterAll(async () => {
  await appSql.end();
  await app.drop();
});
beforeEach(async () => {
  await appSql`drop table if exists items`;
  await appSql`create table items (id int primary key, n int not null)`;
  await appSql`insert into items values (1, 0), (2, 0)`;
});

const errorCodeOf = (error: unknown) => (error as { code?: string } | undefined)?.code;

/** A logger that keeps the code of each error runAsTransaction logged as retried (and calls `onRetry`). */
function retryLogger(onRetry: () => void = () => {}) {
  const retried: (string | undefined)[] = [];
  const logger = {
    debug() {},
    warn() {},
    error() {},
    info(message: string, fields?: { error?: { code?: string } }) {
      if (!message.includes("retrying")) return;
      retried.push(fields?.error?.code);
      onRetry();
    },
  };
  return { logger, retried };
}

/**
 * Runs each body as a transaction step of its own workflow, all at once. Returns their outcomes
 * and the code of each error runAsTransaction logged as retried.
 */
async function runSteps(
  bodies: ((trx: Trx) => Promise<unknown>)[],
  options: TransactionStepOptions = {},
  sql: postgres.Sql = appSql,
) {
  const { logger, retried } = retryLogger();
  const ctx = createDBOSContext({ appName: "retries", systemDatabaseUrl: system.url, applicationVersion: "1", logger });
  const appDb = postgresDatasource(sql);
  const workflows = bodies.map((body, i) => {
    const step = (wctx: DBOSContext) => runAsTransaction(wctx, appDb, body, { ...options, name: `body${i}` });
    return registerWorkflow(ctx, step, { name: `wf${i}` });
  });
  await launch(ctx);
  try {
    const handles = await Promise.all(workflows.map((wf) => runWorkflow(ctx, wf, undefined)));
    const outcomes = await Promise.all(
      handles.map(async (h) => {
        const result = await h.getResult().then(
          (value) => ({ value, error: undefined }),
          (error: unknown) => ({ value: undefined, error: error as { code?: string } }),
        );
        const steps = (await getWorkflowSteps(ctx, h.workflowID)).map((s) => [s.name, errorCodeOf(s.error)]);
        return { ...result, steps };
      }),
    );
    return { outcomes, retried };
  } finally {
    await shutdown(ctx);
  }
}

describe("permanent errors fail the step at once: the body runs once", () => {
  const userReset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", syscall: "read" });
  test.each([
    ["23505 unique_violation", "23505", (trx: Trx) => trx`insert into items values (1, 0)`],
    ["42601 syntax_error", "42601", (trx: Trx) => trx.unsafe("selec 1")],
    ["22012 division_by_zero", "22012", (trx: Trx) => trx`select 1 / ${0}::int`],
    // An HTTP call in the body that lost its socket: not the transaction's connection.
    [
      "a user's own ECONNRESET-shaped error",
      "ECONNRESET",
      async (trx: Trx) => {
        await trx`update items set n = n + 1 where id = 1`;
        throw userReset();
      },
    ],
  ])("%s", async (_, code, statement) => {
    let runs = 0;
    const { outcomes, retried } = await runSteps([async (trx) => (runs++, statement(trx))]);
    expect(outcomes[0]).toMatchObject({ error: { code }, steps: [["body0", code]] });
    expect(runs).toBe(1);
    expect(retried).toEqual([]);
    expect(await appSql`select n from items where id = 1`).toEqual([{ n: 0 }]); // rolled back
  });

  // The user asked not to wait for the lock (NOWAIT), or not longer than lock_timeout: a retry
  // would wait anyway, and each one would find the lock still held.
  test.each([
    ["NOWAIT", ["select * from items where id = 1 for update nowait"]],
    ["lock_timeout", ["set local lock_timeout = '20ms'", "select * from items where id = 1 for update"]],
  ])("55P03 lock_not_available (%s, the row locked by another session)", async (_, statements) => {
    const release = await holdLock(app.url, "select * from items where id = 1 for update");
    let runs = 0;
    try {
      const { outcomes, retried } = await runSteps([
        async (trx) => {
          runs++;
          for (const statement of statements) await trx.unsafe(statement);
        },
      ]);
      expect(outcomes[0]).toMatchObject({ error: { code: "55P03" }, steps: [["body0", "55P03"]] });
      expect(runs).toBe(1);
      expect(retried).toEqual([]);
    } finally {
      await release();
    }
  });
});

describe("transient errors roll back and rerun the body until it commits", () => {
  test("40001 serialization_failure: two serializable read-modify-writes of one row", async () => {
    const bothRead = new Rendezvous(2);
    let runs = 0;
    const bump = async (trx: Trx) => {
      const first = ++runs <= 2;
      const [row] = await trx`select n from items where id = 1`;
      if (first) await bothRead.arrive(); // both snapshots taken before either writes
      await trx`update items set n = ${(row!.n as number) + 1} where id = 1`;
      return "bumped";
    };
    const { outcomes, retried } = await runSteps([bump, bump], { isolation: "serializable" });
    expect(outcomes.map((o) => o.value)).toEqual(["bumped", "bumped"]);
    expect(retried).toEqual(["40001"]);
    expect(runs).toBe(3);
    expect(await appSql`select n from items where id = 1`).toEqual([{ n: 2 }]);
  });

  test("40P01 deadlock_detected: two sessions lock two rows in opposite orders", async () => {
    const bothLocked = new Rendezvous(2);
    let runs = 0;
    const lockBoth = (firstID: number, secondID: number) => async (trx: Trx) => {
      const first = ++runs <= 2;
      await trx`set local deadlock_timeout = '50ms'`;
      await trx`update items set n = n + 1 where id = ${firstID}`;
      if (first) await bothLocked.arrive();
      await trx`update items set n = n + 1 where id = ${secondID}`;
      return "locked";
    };
    const { outcomes, retried } = await runSteps([lockBoth(1, 2), lockBoth(2, 1)]);
    expect(outcomes.map((o) => o.value)).toEqual(["locked", "locked"]);
    expect(retried).toEqual(["40P01"]);
    expect(runs).toBe(3);
    expect(await appSql`select n from items order by id`).toEqual([{ n: 2 }, { n: 2 }]);
  });

  test("57P01 admin_shutdown: the transaction's backend is terminated mid-statement; the pool still ends", async () => {
    // A pool of its own, ended without a timeout below: postgres.js used to send the ROLLBACK to the
    // dead connection, where it stayed stuck and end() never returned (patches/postgres@3.4.7.patch).
    const sql = postgres(app.url, { max: 4, onnotice: () => {} });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    let ending = false;
    try {
      await cutMidTransaction();
    } finally {
      process.off("uncaughtException", onUncaught);
      // A failure before end(): close the pool so the file leaves nothing behind.
      if (!ending) await sql.end({ timeout: 1 });
    }
    expect(uncaught).toEqual([]);

    async function cutMidTransaction() {
      let runs = 0;
      let seen: string | undefined;
      const { outcomes, retried } = await runSteps(
        [
          async (trx) => {
            if (++runs === 1) {
              const [{ pid }] = (await trx`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
              const sleeping = trx`select pg_sleep(30)`.execute().then(
                () => undefined,
                (error: { code?: string }) => error,
              );
              await terminateBackendWhenActive(app.url, pid);
              const error = await sleeping;
              seen = error?.code;
              throw error ?? new Error("pg_sleep was not interrupted");
            }
            await trx`update items set n = n + 1 where id = 1`;
            return "committed";
          },
        ],
        {},
        sql,
      );
      expect(seen).toBe("57P01");
      expect(outcomes[0]).toMatchObject({ value: "committed" });
      expect(runs).toBe(2);
      // begin() rejects with whichever error of the dead socket settles it first: the server's 57P01,
      // the failed rollback's CONNECTION_CLOSED, or the socket's own ECONNRESET (raised by the
      // driver, so a lost connection). Each one is the connection's, and retried.
      expect(retried).toHaveLength(1);
      expect(["57P01", "CONNECTION_CLOSED", "ECONNRESET"]).toContain(retried[0]);
      expect(await appSql`select n from items where id = 1`).toEqual([{ n: 1 }]);
      // The pool ends by itself: no query of the dead transaction is left waiting on its connection.
      const timeout = new Promise((resolve) => setTimeout(resolve, 20_000, "timed out").unref());
      ending = true;
      expect(await Promise.race([sql.end().then(() => "ended"), timeout])).toBe("ended");
    }
  });
});

describe("the application database away when the step starts", () => {
  // A port that refuses at first; later a forwarder to the test server listens on it.
  async function lateForwarder(target: URL) {
    const server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      client.pipe(upstream).pipe(client);
      const close = () => (client.destroy(), upstream.destroy());
      client.on("error", close).on("close", close);
      upstream.on("error", close).on("close", close);
    });
    const port = await refusedPort();
    return {
      port,
      open: () => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve())),
      close: () => new Promise((resolve) => server.close(resolve)),
    };
  }

  test("a refused connection before the transaction is retried, and the body then runs once", async () => {
    const forwarder = await lateForwarder(new URL(app.url));
    const lateUrl = new URL(app.url);
    lateUrl.hostname = "127.0.0.1";
    lateUrl.port = String(forwarder.port);
    const lateSql = postgres(lateUrl.href, { max: 1, onnotice: () => {} });
    const { logger, retried } = retryLogger(() => {
      if (retried.length === 1) void forwarder.open();
    });
    const ctx = createDBOSContext({ appName: "late", systemDatabaseUrl: system.url, applicationVersion: "1", logger });
    let runs = 0;
    const appDb = postgresDatasource(lateSql);
    const bump = async (trx: Trx) => {
      runs++;
      await trx`update items set n = n + 1 where id = 1`;
      return "committed";
    };
    const wf = registerWorkflow(ctx, (wctx: DBOSContext) => runAsTransaction(wctx, appDb, bump, { name: "late" }), {
      name: "late",
    });
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, wf, undefined);
      expect(await handle.getResult()).toBe("committed");
      expect(retried[0]).toBe("ECONNREFUSED");
      expect(runs).toBe(1);
      expect(await appSql`select n from items where id = 1`).toEqual([{ n: 1 }]);
    } finally {
      await shutdown(ctx);
      await lateSql.end({ timeout: 5 });
      await forwarder.close();
    }
  });
});
