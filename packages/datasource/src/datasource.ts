// The seam between runAsTransaction and a database driver: open a transaction at an isolation
// level, and read and write the completion record that makes a transaction step exactly-once.

export type IsolationLevel = "read committed" | "repeatable read" | "serializable";

export interface TransactionOptions {
  readonly isolation: IsolationLevel;
  readonly readOnly: boolean;
}

/** What a committed transaction step left behind in the application database. */
export interface CompletionRecord {
  readonly output: string | null;
  readonly serialization: string;
}

/**
 * An application database that runAsTransaction can run steps in. Create one with
 * `postgresDatasource(sql)` or `kyselyDatasource(db)`.
 */
export interface Datasource<Transaction> {
  /** Shown in errors and logs. */
  readonly name: string;
  /** Creates the completion table if it is missing (once per datasource; safe concurrently). */
  ensureReady(): Promise<void>;
  /** Runs `body` in one transaction; commits if it resolves, rolls back if it throws. */
  transaction<T>(options: TransactionOptions, body: (trx: Transaction) => Promise<T>): Promise<T>;
  /** The completion record of (workflow, step), read outside any transaction. */
  readCompletion(workflowID: string, stepID: number): Promise<CompletionRecord | undefined>;
  /** Inserts the completion record inside `trx`; a second one for the same step must fail. */
  insertCompletion(trx: Transaction, workflowID: string, stepID: number, record: CompletionRecord): Promise<void>;
}

/** The DDL of the completion table (DBOS's transaction_completion), for schema `schema` (already quoted). */
export function completionTableSql(quotedSchema: string): string {
  return `
    CREATE SCHEMA IF NOT EXISTS ${quotedSchema};
    CREATE TABLE IF NOT EXISTS ${quotedSchema}.transaction_completion (
      workflow_id text NOT NULL,
      step_id integer NOT NULL,
      output text,
      error text,
      serialization text,
      created_at bigint DEFAULT ((EXTRACT(epoch FROM now()) * 1000.0))::bigint NOT NULL,
      PRIMARY KEY (workflow_id, step_id)
    )`;
}
