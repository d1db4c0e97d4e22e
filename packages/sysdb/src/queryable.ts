// Where a sysdb statement runs: a system database's pool, or one transaction on it. Query
// functions take one of these instead of a (database, driver) pair; an open SystemDatabase is one.
import type { Kysely, Transaction } from "kysely";
import type { SystemSchema } from "./tables.js";

/** The pool of a system database or one of its transactions: the typed Kysely instance and its schema. */
export interface Queryable {
  /** Typed queries, already scoped to {@link Queryable.schema}. */
  readonly db: Kysely<SystemSchema>;
  /** The (unquoted) schema the statements run in. */
  readonly schema: string;
}

/** A {@link Queryable} inside a transaction: what a function that takes row locks asks for. */
export interface TransactionQueryable extends Queryable {
  readonly db: Transaction<SystemSchema>;
}

/**
 * Runs `body` in one transaction through Kysely's `transaction()`: committed when `body`
 * resolves, rolled back when it throws.
 *
 * @example
 * await inTransaction(sysdb, async (tx) => {
 *   await sql`set local lock_timeout = '5s'`.execute(tx.db);
 *   return dequeue(tx, options);
 * });
 */
export function inTransaction<T>(on: Queryable, body: (tx: TransactionQueryable) => Promise<T>): Promise<T> {
  return on.db.transaction().execute((db) => body({ db, schema: on.schema }));
}
