// A datasource over a postgres.js `sql` instance: the user's step gets a TransactionSql.
import type { Sql, TransactionSql } from "postgres";
import { checkOptions, DurablyError, quoteIdentifier, validateSchemaName } from "@durably/sysdb";
import { completionTableSql, type CompletionRecord, type Datasource } from "./datasource.js";

export interface DatasourceOptions {
  /** Schema of the completion table in the application database. Default "dbos". */
  readonly schema?: string;
  /** Shown in errors and logs. Default "app-db". */
  readonly name?: string;
}

/** What each option must be (shared with kyselyDatasource). */
export const datasourceOptionRules = { schema: { type: "string" }, name: { type: "string", nonEmpty: true } } as const;

/**
 * Wraps the application's postgres.js connection for runAsTransaction.
 *
 * @example
 * const appDb = postgresDatasource(postgres(process.env.APP_DATABASE_URL!));
 * await runAsTransaction(ctx, appDb, (trx) => trx`update stock set n = n - 1 where sku = ${sku}`);
 */
export function postgresDatasource(
  sql: Sql<Record<string, unknown>>,
  options: DatasourceOptions = {},
): Datasource<TransactionSql<Record<string, unknown>>> {
  // Checked here, not at the first transaction: a URL passed instead of postgres(url) is a likely slip.
  const client = sql as unknown as { begin?: unknown; unsafe?: unknown } | undefined;
  if (typeof sql !== "function" || typeof client?.begin !== "function" || typeof client.unsafe !== "function")
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "postgresDatasource needs your application's postgres.js instance, e.g. postgresDatasource(postgres(url)); " +
        `got ${typeof sql === "string" ? "a string" : typeof sql}.`,
    );
  checkOptions("postgresDatasource", options, datasourceOptionRules);
  const schema = validateSchemaName(options.schema ?? "dbos");
  const table = `${quoteIdentifier(schema)}.transaction_completion`;
  let ready: Promise<void> | undefined;
  return Object.freeze({
    name: options.name ?? "app-db",
    ensureReady() {
      ready ??= (async () => {
        await sql.begin(async (trx) => {
          await trx`select pg_advisory_xact_lock(hashtext('durably.transaction_completion'), hashtext(${schema}))`;
          await trx.unsafe(completionTableSql(quoteIdentifier(schema)));
        });
      })().catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      return ready;
    },
    async transaction<T>(
      o: { isolation: string; readOnly: boolean },
      body: (trx: TransactionSql<Record<string, unknown>>) => Promise<T>,
    ): Promise<T> {
      const mode = `isolation level ${o.isolation} ${o.readOnly ? "read only" : "read write"}`;
      return (await sql.begin(mode, (trx) => body(trx))) as T;
    },
    async readCompletion(workflowID: string, stepID: number): Promise<CompletionRecord | undefined> {
      const [row] = await sql.unsafe(
        `select output, serialization from ${table} where workflow_id = $1 and step_id = $2`,
        [workflowID, stepID],
      );
      return row === undefined
        ? undefined
        : { output: (row.output as string | null) ?? null, serialization: row.serialization as string };
    },
    async insertCompletion(
      trx: TransactionSql<Record<string, unknown>>,
      workflowID: string,
      stepID: number,
      record: CompletionRecord,
    ): Promise<void> {
      await trx.unsafe(`insert into ${table} (workflow_id, step_id, output, serialization) values ($1, $2, $3, $4)`, [
        workflowID,
        stepID,
        record.output,
        record.serialization,
      ]);
    },
  });
}
