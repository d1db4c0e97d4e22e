// A minimal Kysely dialect over a postgres.js pool: every sysdb statement is sent through here.
//
// kysely-postgres-js reserves a connection per query, and postgres.js 3.4.x never resolves
// reserve() on a fresh connection when fetch_types is off (its ready path skips the reserve
// request), which sysdb needs off (see queries/text-array.ts). So a statement runs on whatever
// pooled connection is free, and a Kysely transaction runs inside postgres.js's own `sql.begin`,
// which holds one connection for it and, with patches/postgres@3.4.7.patch, rejects its queries
// (the ROLLBACK too) once that connection has closed.
//
// How a statement is sent is what its guarantees rest on, so it is the same as a postgres.js
// tagged template: with parameters, a named prepared statement (parsed once per connection);
// without, the simple protocol. Either way it resolves at ReadyForQuery, once its implicit
// transaction has committed (the patch; test/commit-outcome.test.ts).
import {
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import type { Sql } from "#postgres";
import { statementTimingChannel, type StatementTiming } from "./profiling-channels.js";

export class PostgresPoolDialect implements Dialect {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PoolDriver(this.#sql);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}

class PoolDriver implements Driver {
  readonly #sql: Sql;
  readonly #pooled: PoolConnection;

  constructor(sql: Sql) {
    this.#sql = sql;
    this.#pooled = new PoolConnection(sql);
  }

  async init(): Promise<void> {}

  // Kysely asks for a connection per statement and once per transaction; only a transaction
  // needs one of its own (beginTransaction gets the object it was handed).
  async acquireConnection(): Promise<TransactionConnection> {
    return new TransactionConnection(this.#sql, this.#pooled);
  }

  // Kysely hands back the connection acquireConnection gave it.
  async beginTransaction(connection: TransactionConnection, settings: TransactionSettings): Promise<void> {
    await connection.begin(settings);
  }

  async commitTransaction(connection: TransactionConnection): Promise<void> {
    await connection.finish(true);
  }

  async rollbackTransaction(connection: TransactionConnection): Promise<void> {
    await connection.finish(false);
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {}
}

/** Runs statements on any free pooled connection (or on one transaction's, see below). */
class PoolConnection implements DatabaseConnection {
  // The pool, or one transaction's connection (postgres.js's TransactionSql is an Sql).
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return statementTimingChannel.hasSubscribers ? this.#timed(compiled) : this.#execute(compiled);
  }

  async #timed<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const sentAt = performance.now();
    let ok = false;
    try {
      const result = await this.#execute<R>(compiled);
      ok = true;
      return result;
    } finally {
      const timing: StatementTiming = { sql: compiled.sql, sentAt, repliedAt: performance.now(), ok };
      statementTimingChannel.publish(timing);
    }
  }

  async #execute<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const parameters = compiled.parameters as never[];
    // prepare as a tagged template does; without parameters, unsafe() uses the simple protocol.
    const result = await this.#sql.unsafe(compiled.sql, parameters, parameters.length > 0 ? { prepare: true } : {});
    const command = result.command;
    const mutating = command === "INSERT" || command === "UPDATE" || command === "DELETE" || command === "MERGE";
    return { rows: [...result] as R[], ...(mutating ? { numAffectedRows: BigInt(result.count) } : {}) };
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("sysdb's Kysely instance does not stream.");
  }
}

/** Why a transaction body is made to fail: Kysely asked for a rollback. */
const rollbackRequested = Symbol("rollback requested");

/**
 * A connection handed out by the driver: the pool until {@link begin}, then one `sql.begin`
 * transaction, whose body waits until Kysely commits or rolls back.
 */
class TransactionConnection implements DatabaseConnection {
  readonly #sql: Sql;
  #target: PoolConnection;
  #end?: (commit: boolean) => void;
  #settled?: Promise<unknown>;

  constructor(sql: Sql, pooled: PoolConnection) {
    this.#sql = sql;
    this.#target = pooled;
  }

  /** Resolves once BEGIN has run; rejects if it could not (no connection, server refused). */
  begin(settings: TransactionSettings): Promise<void> {
    const mode = [settings.isolationLevel && `isolation level ${settings.isolationLevel}`, settings.accessMode]
      .filter(Boolean)
      .join(" ");
    return new Promise<void>((begun, failed) => {
      this.#settled = this.#sql.begin(mode, (tx) => {
        this.#target = new PoolConnection(tx);
        begun();
        return new Promise<void>((commit, rollback) => {
          this.#end = (doCommit) => (doCommit ? commit() : rollback(rollbackRequested));
        });
      });
      // Before the body ran this fails begin(); after, it is finish()'s to report. Either way handled.
      this.#settled.catch(failed);
    });
  }

  /**
   * Ends the body so that `sql.begin` sends COMMIT (or ROLLBACK); resolves when it has. A failed
   * COMMIT rejects; a rollback never does (the transaction is gone either way, and Kysely rethrows
   * the error that caused it, not one of the ROLLBACK on a closed connection).
   */
  async finish(commit: boolean): Promise<void> {
    this.#end?.(commit);
    if (commit) await this.#settled;
    else await this.#settled?.catch(() => undefined);
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return this.#target.executeQuery(compiled);
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("sysdb's Kysely instance does not stream.");
  }
}
