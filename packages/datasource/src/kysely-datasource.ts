// A datasource over a Kysely instance: the user's step gets a Kysely Transaction of their schema.
import type { Kysely, Transaction } from "kysely";
import { checkOptions, DurablyError, quoteIdentifier, validateSchemaName } from "@durably/sysdb";
import { datasourceOptionRules } from "./postgres-datasource.js";
import { completionTableSql, type CompletionRecord, type Datasource } from "./datasource.js";
import type { DatasourceOptions } from "./postgres-datasource.js";

/**
 * Wraps the application's Kysely instance (on Postgres) for runAsTransaction.
 *
 * @example
 * const appDb = kyselyDatasource(db);
 * await runAsTransaction(ctx, appDb, (trx) =>
 *   trx.updateTable("stock").set({ n: sql`n - 1` }).where("sku", "=", sku).execute(),
 * );
 */
export function kyselyDatasource<DB>(db: Kysely<DB>, options: DatasourceOptions = {}): Datasource<Transaction<DB>> {
  if (typeof (db as Partial<Kysely<DB>> | undefined)?.transaction !== "function")
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "kyselyDatasource needs your application's Kysely instance, e.g. kyselyDatasource(new Kysely({ dialect })).",
    );
  checkOptions("kyselyDatasource", options, datasourceOptionRules);
  const schema = validateSchemaName(options.schema ?? "dbos");
  const tableName = `${quoteIdentifier(schema)}.transaction_completion`;
  let ready: Promise<void> | undefined;
  return Object.freeze({
    name: options.name ?? "app-db",
    ensureReady() {
      ready ??= db
        .transaction()
        .execute(async (trx) => {
          const sql = await kyselySql();
          await sql`select pg_advisory_xact_lock(hashtext('durably.transaction_completion'),
            hashtext(${schema}))`.execute(trx);
          for (const statement of completionTableSql(quoteIdentifier(schema)).split(";"))
            await sql.raw(statement).execute(trx);
        })
        .catch((error: unknown) => {
          ready = undefined;
          throw error;
        });
      return ready;
    },
    async transaction<T>(
      o: { isolation: "read committed" | "repeatable read" | "serializable"; readOnly: boolean },
      body: (trx: Transaction<DB>) => Promise<T>,
    ): Promise<T> {
      return db
        .transaction()
        .setIsolationLevel(o.isolation)
        .setAccessMode(o.readOnly ? "read only" : "read write")
        .execute(body);
    },
    async readCompletion(workflowID: string, stepID: number): Promise<CompletionRecord | undefined> {
      const sql = await kyselySql();
      const table = sql.raw(tableName);
      const { rows } = await sql<{ output: string | null; serialization: string }>`
        select output, serialization from ${table} where workflow_id = ${workflowID} and step_id = ${stepID}`.execute(
        db,
      );
      const row = rows[0];
      return row === undefined ? undefined : { output: row.output ?? null, serialization: row.serialization };
    },
    async insertCompletion(
      trx: Transaction<DB>,
      workflowID: string,
      stepID: number,
      record: CompletionRecord,
    ): Promise<void> {
      const sql = await kyselySql();
      const table = sql.raw(tableName);
      await sql`insert into ${table} (workflow_id, step_id, output, serialization)
                values (${workflowID}, ${stepID}, ${record.output}, ${record.serialization})`.execute(trx);
    },
  });
}

type SqlTag = typeof import("kysely").sql;

let sqlTag: Promise<SqlTag> | undefined;

/**
 * Kysely's sql tag, imported on first use: kysely is an optional peer, so an app that uses only
 * postgresDatasource can import this package without it.
 */
function kyselySql(): Promise<SqlTag> {
  sqlTag ??= import("kysely").then((kysely) => kysely.sql);
  return sqlTag;
}
