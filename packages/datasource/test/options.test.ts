// Datasource and transaction-step options refuse unknown keys with a typed error naming the key:
// a misspelled isolationLevel would otherwise run the step at read committed, silently.
import { failureOf } from "@durably/testing";
import postgres from "postgres";
import {
  createDBOSContext,
  isDurablyError,
  launch,
  registerWorkflow,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Kysely } from "kysely";
import { PostgresJSDialect } from "kysely-postgres-js";
import { kyselyDatasource, postgresDatasource, runAsTransaction } from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";

const db = useTestDatabase({ template: migratedTemplate });
// Lets a test pass what the types forbid, so it reaches the runtime checks.
const any = (value: unknown) => value as any;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** `CODE: message` of what `fn` threw or rejected with. */
const failure = (fn: () => unknown) => failureOf(fn, isDurablyError, "DurablyError");

let ctx: DBOSContext;
let sql: postgres.Sql;
beforeAll(async () => {
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
  ctx = createDBOSContext({
    appName: "tx-options",
    systemDatabaseUrl: db.url,
    applicationVersion: "v1",
    logger: quiet,
  });
});
afterAll(async () => {
  await shutdown(ctx);
  await sql.end();
});

test("postgresDatasource and kyselyDatasource need the application's client, not a URL", async () => {
  expect(await failure(() => postgresDatasource(any(db.url)))).toBe(
    "INVALID_ARGUMENT: postgresDatasource needs your application's postgres.js instance, e.g. " +
      "postgresDatasource(postgres(url)); got a string.",
  );
  expect(await failure(() => kyselyDatasource(any(sql)))).toBe(
    "INVALID_ARGUMENT: kyselyDatasource needs your application's Kysely instance, e.g. " +
      "kyselyDatasource(new Kysely({ dialect })).",
  );
});

test("postgresDatasource and kyselyDatasource refuse unknown keys", async () => {
  expect(await failure(() => postgresDatasource(sql, any({ schemaName: "app" })))).toMatch(
    new RegExp(
      /^INVALID_ARGUMENT: postgresDatasource: unknown option schemaName \(did you mean schema\?\); /.source +
        /the accepted options are schema, name\./.source,
    ),
  );
  const kysely = new Kysely({ dialect: new PostgresJSDialect({ postgres: sql }) });
  expect(await failure(() => kyselyDatasource(kysely, any({ name: "" })))).toMatch(
    /kyselyDatasource: name must be a non-empty string/,
  );
});

test(
  "runAsTransaction: DBOS's isolationLevel spelling fails the step instead of running at read committed; " +
    "a datasource or body of the wrong kind is named",
  async () => {
    const appDb = postgresDatasource(sql);
    let ran = false;
    const wf = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) =>
        runAsTransaction(wctx, appDb, async () => void (ran = true), any({ isolationLevel: "serializable" })),
      { name: "tx" },
    );
    const retries = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => runAsTransaction(wctx, appDb, async () => void (ran = true), { maxRetries: 1.5 }),
      { name: "tx-retries" },
    );
    const notDatasource = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => runAsTransaction(wctx, any(sql), async () => void (ran = true)),
      { name: "tx-not-datasource" },
    );
    const noBody = registerWorkflow(ctx, async (wctx: DBOSContext) => runAsTransaction(wctx, appDb, any("update")), {
      name: "tx-no-body",
    });
    await launch(ctx);
    expect(await failure(async () => (await runWorkflow(ctx, notDatasource, undefined)).getResult())).toBe(
      "INVALID_ARGUMENT: runAsTransaction's second argument must be a datasource: postgresDatasource(sql) or " +
        "kyselyDatasource(db).",
    );
    expect(await failure(async () => (await runWorkflow(ctx, noBody, undefined)).getResult())).toBe(
      "INVALID_ARGUMENT: runAsTransaction needs a function to run in the transaction.",
    );
    expect(await failure(async () => (await runWorkflow(ctx, wf, undefined)).getResult())).toMatch(
      new RegExp(
        /^INVALID_ARGUMENT: runAsTransaction: unknown option isolationLevel \(did you mean isolation\?\); /.source +
          /the accepted options are name, isolation, readOnly, maxRetries, afterCommit\./.source,
      ),
    );
    expect(await failure(async () => (await runWorkflow(ctx, retries, undefined)).getResult())).toMatch(
      /maxRetries must be an integer from 0 to 2147483647, got 1.5/,
    );
    expect(ran).toBe(false);
  },
);
