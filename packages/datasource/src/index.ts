// @durably/datasource: exactly-once database transactions in workflows, on the application's
// own Postgres.
//
// Its job: run a step's body in a transaction of the application database together with a
// completion record (DBOS's transaction_completion), so the step's writes happen exactly once,
// and retry serialization failures. It may import @durably/core (public API and ./internal),
// @durably/sysdb (names and error classes) and, as optional peers, the user's driver (postgres or
// kysely): it is the one package that speaks SQL to the application's database, not the system's.
export { runAsTransaction, type TransactionStepOptions } from "./run-as-transaction.js";
export { postgresDatasource, type DatasourceOptions } from "./postgres-datasource.js";
export { kyselyDatasource } from "./kysely-datasource.js";
export type { Datasource, IsolationLevel, CompletionRecord, TransactionOptions } from "./datasource.js";
