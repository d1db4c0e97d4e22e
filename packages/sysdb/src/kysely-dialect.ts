// A minimal Kysely dialect over a postgres.js pool, for sysdb's one-statement queries.
//
// kysely-postgres-js reserves a connection per query, and postgres.js 3.4.x never resolves
// reserve() on a fresh connection when fetch_types is off (its ready path skips the reserve
// request), which sysdb needs off (see queries/text-list.ts). Each query here runs on whatever
// pooled connection is free; multi-statement transactions go through `sql.begin` instead.
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
} from "kysely";
import type { Sql } from "#postgres";

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
  readonly #connection: DatabaseConnection;

  constructor(sql: Sql) {
    this.#connection = new PoolConnection(sql);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }

  async beginTransaction(): Promise<void> {
    throw new Error("sysdb's Kysely instance runs single statements; use sysdb.sql.begin for a transaction.");
  }

  async commitTransaction(): Promise<void> {}

  async rollbackTransaction(): Promise<void> {}

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {}
}

class PoolConnection implements DatabaseConnection {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#sql.unsafe(compiled.sql, compiled.parameters as never[]);
    const mutating = result.command === "INSERT" || result.command === "UPDATE" || result.command === "DELETE" || result.command === "MERGE";
    return { rows: [...result] as R[], ...(mutating ? { numAffectedRows: BigInt(result.count) } : {}) };
  }

  // biome-ignore lint/correctness/useYield: Kysely's Driver interface wants a generator here; this one refuses at once.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("sysdb's Kysely instance does not stream.");
  }
}
