// Exactly-once transaction steps against real Postgres: crashes at every point, serializable
// retries, rollback of user errors, both drivers, same or separate databases.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Kysely, sql as ksql } from "kysely";
import { PostgresJSDialect } from "kysely-postgres-js";
import postgres from "postgres";
import {
  createDBOSContext,
  getWorkflowSteps,
  isDurablyError,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { createTestDatabase, type TestDatabase } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { kyselyDatasource, postgresDatasource, runAsTransaction } from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";

const system = useTestDatabase({ template: migratedTemplate });
let app: TestDatabase;
let appSql: postgres.Sql;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  app = await createTestDatabase();
  appSql = postgres(app.url, { max: 4, onnotice: () => {} });
});
afterAll(async () => {
  await appSql.end();
  await app.drop();
});
beforeEach(async () => {
  await appSql`drop table if exists stock, reservations, counter`;
  await appSql`create table stock (sku text primary key, n int not null)`;
  await appSql`insert into stock values ('mug', 100)`;
  await appSql`create table reservations (order_id text)`;
  await appSql`create table counter (id int primary key, n int not null)`;
  await appSql`insert into counter values (1, 0)`;
  await appSql`drop schema if exists dbos cascade`;
});

const context = (url = system.url) =>
  createDBOSContext({ appName: "tx-test", systemDatabaseUrl: url, applicationVersion: "tx-v1", logger: quiet });

describe("crashes never apply a transaction twice or lose it", () => {
  const worker = fileURLToPath(new URL("./support/tx-worker.mjs", import.meta.url));
  const runWorker = (crash: string) =>
    new Promise<{ code: number | null; signal: string | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [worker, system.url, app.url, crash]);
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => process.stderr.write(`[tx-worker] ${d}`));
      child.on("exit", (code, signal) => resolve({ code, signal, stdout }));
    });

  test.each(["before-commit", "after-commit", "after-both"])(
    "SIGKILL %s, then relaunch",
    async (crash) => {
      const crashed = await runWorker(crash);
      expect(crashed.signal).toBe("SIGKILL");
      const afterCrash = (await appSql`select n from stock where sku = 'mug'`)[0]?.n;
      expect(afterCrash).toBe(crash === "before-commit" ? 100 : 99);
      // Premise: the crash came where it was meant to, so only after-both has the step's checkpoint.
      expect(await checkpointedSteps("order-1")).toEqual(crash === "after-both" ? [0] : []);

      const recovered = await runWorker("none");
      expect(recovered.code).toBe(0);
      expect(JSON.parse(recovered.stdout)).toBe(99);
      expect(await appSql`select n from stock where sku = 'mug'`).toEqual([{ n: 99 }]);
      expect(await appSql`select order_id from reservations`).toEqual([{ order_id: "order-1" }]);
      expect(await appSql`select workflow_id, step_id from dbos.transaction_completion`).toEqual([
        { workflow_id: "order-1", step_id: 0 },
      ]);
      await dropSystemWorkflow("order-1");
    },
    60_000,
  );
});

/** The step IDs the system database holds a checkpoint for, of workflow `id`. */
async function checkpointedSteps(id: string): Promise<number[]> {
  const sysdb = postgres(system.url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sysdb`select function_id from dbos.operation_outputs where workflow_uuid = ${id} order by 1`;
    return rows.map((r) => r.function_id as number);
  } finally {
    await sysdb.end();
  }
}

async function dropSystemWorkflow(id: string): Promise<void> {
  const sysdb = postgres(system.url, { max: 1, onnotice: () => {} });
  try {
    for (const table of ["operation_outputs", "workflow_input", "workflow_output", "workflow_status"]) {
      await sysdb`delete from ${sysdb("dbos")}.${sysdb(table)} where workflow_uuid = ${id}`;
    }
  } finally {
    await sysdb.end();
  }
}

describe("transactions in workflows", () => {
  test("concurrent SERIALIZABLE read-modify-writes are retried until each applied once", async () => {
    const ctx = context();
    const appDb = postgresDatasource(appSql);
    const bump = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) =>
        runAsTransaction(
          wctx,
          appDb,
          async (trx) => {
            const [row] = await trx`select n from counter where id = 1`;
            await new Promise((resolve) => setTimeout(resolve, 5)); // widen the race
            await trx`update counter set n = ${row!.n + 1} where id = 1`;
            return row!.n + 1;
          },
          { name: "bump", isolation: "serializable", maxRetries: 50 },
        ),
      { name: "bump" },
    );
    await launch(ctx);
    try {
      const handles = await Promise.all(Array.from({ length: 10 }, () => runWorkflow(ctx, bump, undefined)));
      const results = await Promise.all(handles.map((h) => h.getResult()));
      expect(results.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(await appSql`select n from counter`).toEqual([{ n: 10 }]);
    } finally {
      await shutdown(ctx);
    }
  });

  test("a write in a readOnly transaction (25006) fails the step at once: the body runs once", async () => {
    const ctx = context();
    const appDb = postgresDatasource(appSql);
    let runs = 0;
    const writer = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) =>
        runAsTransaction(
          wctx,
          appDb,
          async (trx) => {
            runs++;
            await trx`insert into reservations (order_id) values ('read-only')`;
          },
          { name: "readOnlyWrite", readOnly: true },
        ),
      { name: "readOnlyWriter" },
    );
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, writer, undefined);
      await expect(handle.getResult()).rejects.toMatchObject({ code: "25006" });
      expect(runs).toBe(1);
      expect((await getWorkflowSteps(ctx, handle.workflowID)).map((s) => s.name)).toEqual(["readOnlyWrite"]);
    } finally {
      await shutdown(ctx);
    }
  });

  test("a thrown error rolls the transaction back and is recorded as the step's error", async () => {
    const ctx = context();
    const appDb = postgresDatasource(appSql);
    const failing = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) =>
        runAsTransaction(
          wctx,
          appDb,
          async (trx) => {
            await trx`insert into reservations (order_id) values ('doomed')`;
            throw Object.assign(new Error("out of mugs"), { code: "NO_STOCK" });
          },
          { name: "reserve" },
        ),
      { name: "failing" },
    );
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, failing, undefined);
      await expect(handle.getResult()).rejects.toMatchObject({ message: "out of mugs", code: "NO_STOCK" });
      expect(await appSql`select * from reservations`).toEqual([]);
      expect(await appSql`select * from dbos.transaction_completion`).toEqual([]);
      expect((await getWorkflowSteps(ctx, handle.workflowID)).map((s) => [s.name, (s.error as Error).message])).toEqual(
        [["reserve", "out of mugs"]],
      );
    } finally {
      await shutdown(ctx);
    }
  });

  test("a Kysely datasource on the system database's own server and database works the same", async () => {
    interface AppSchema {
      stock: { sku: string; n: number };
    }
    const kysely = new Kysely<AppSchema>({
      dialect: new PostgresJSDialect({ postgres: postgres(system.url, { max: 2, onnotice: () => {} }) }),
    });
    await ksql`create table if not exists stock (sku text primary key, n int not null)`.execute(kysely);
    await ksql`insert into stock values ('pen', 5) on conflict do nothing`.execute(kysely);
    const ctx = context(system.url);
    const appDb = kyselyDatasource(kysely, { schema: "app_tx" });
    const take = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) =>
        runAsTransaction(
          wctx,
          appDb,
          async (trx) => {
            const row = await trx
              .updateTable("stock")
              .set({ n: ksql`n - 1` })
              .where("sku", "=", "pen")
              .returning("n")
              .executeTakeFirstOrThrow();
            return row.n;
          },
          { name: "takePen", isolation: "repeatable read" },
        ),
      { name: "takePen" },
    );
    await launch(ctx);
    try {
      expect(await (await runWorkflow(ctx, take, undefined)).getResult()).toBe(4);
      const { rows } = await ksql<{ n: number }>`select count(*)::int as n from app_tx.transaction_completion`.execute(
        kysely,
      );
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await shutdown(ctx);
      await kysely.destroy();
    }
  });
});

describe("a transaction nested in a step is refused, so it never commits twice", () => {
  const nestedError = (error: unknown) => isDurablyError(error, "NESTED_DURABLE_OPERATION");
  const stepsOf = async (ctx: DBOSContext, id: string) =>
    (await getWorkflowSteps(ctx, id)).map((s) => [s.stepID, s.name, (s.error as { code?: string } | undefined)?.code]);

  test("a retried step that calls runAsTransaction with the workflow's context, closed over", async () => {
    const ctx = context();
    const appDb = postgresDatasource(appSql);
    let attempts = 0;
    const pay = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) =>
        runAsStep(
          wctx,
          async () => {
            attempts++;
            await runAsTransaction(
              wctx,
              appDb,
              async (trx) => trx`insert into reservations (order_id) values ('payment')`,
              { name: "charge" },
            );
            if (attempts === 1) throw new Error("gateway timeout"); // the outer step is retried once
            return "paid";
          },
          { name: "outer", maxRetries: 1, intervalMs: 1 },
        ),
      { name: "payNested" },
    );
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, pay, undefined);
      const error = await handle.getResult().then(
        (value) => new Error(`the workflow returned ${String(value)}`),
        (e: unknown) => e,
      );
      expect(nestedError(error), String(error)).toBe(true);
      expect((error as Error).message).toContain("runAsTransaction (charge)");
      // The refusal is not worth a retry: the step ran once, and nothing was committed.
      expect(attempts).toBe(1);
      expect(await appSql`select * from reservations`).toEqual([]);
      expect(await stepsOf(ctx, handle.workflowID)).toEqual([[0, "outer", "NESTED_DURABLE_OPERATION"]]);
    } finally {
      await shutdown(ctx);
    }
  });

  test("runAsTransaction with the step's own context", async () => {
    const ctx = context();
    const appDb = postgresDatasource(appSql);
    const nested = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) =>
        runAsStep(wctx, (stepCtx) => runAsTransaction(stepCtx, appDb, async () => 1, { name: "inner" }), {
          name: "outer",
        }),
      { name: "nested" },
    );
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, nested, undefined);
      const error = await handle.getResult().catch((e: unknown) => e);
      expect(nestedError(error), String(error)).toBe(true);
      expect(await stepsOf(ctx, handle.workflowID)).toEqual([[0, "outer", "NESTED_DURABLE_OPERATION"]]);
    } finally {
      await shutdown(ctx);
    }
  });

  test("a durable operation inside a transaction's body rolls the transaction back", async () => {
    const ctx = context();
    const appDb = postgresDatasource(appSql);
    const nested = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) =>
        runAsTransaction(
          wctx,
          appDb,
          async (trx) => {
            await trx`insert into reservations (order_id) values ('doomed')`;
            return runAsStep(wctx, async () => 1, { name: "inner" });
          },
          { name: "outerTransaction" },
        ),
      { name: "stepInTransaction" },
    );
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, nested, undefined);
      const error = await handle.getResult().then(
        (value) => new Error(`the workflow returned ${String(value)}`),
        (e: unknown) => e,
      );
      expect(nestedError(error), String(error)).toBe(true);
      expect(await appSql`select * from reservations`).toEqual([]);
      expect(await stepsOf(ctx, handle.workflowID)).toEqual([[0, "outerTransaction", "NESTED_DURABLE_OPERATION"]]);
    } finally {
      await shutdown(ctx);
    }
  });
});
