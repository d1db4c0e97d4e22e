// A worker process for the crash tests: one workflow that takes stock in a transaction, then runs
// a plain step. `crash` picks where the process SIGKILLs itself: before-commit, after-commit
// (committed, not yet checkpointed), after-both (both durable), or none.
import postgres from "postgres";
import {
  createDBOSContext,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
} from "@durably/core";
import { postgresDatasource, runAsTransaction } from "@durably/datasource";

const [systemUrl, appUrl, crash] = process.argv.slice(2);
const die = () => process.kill(process.pid, "SIGKILL");
const sql = postgres(appUrl, { max: 2, onnotice: () => {} });
const appDb = postgresDatasource(sql);
const ctx = createDBOSContext({
  appName: "tx-test",
  systemDatabaseUrl: systemUrl,
  applicationVersion: "tx-v1",
  executorId: "tx-worker",
});

const order = registerWorkflow(
  ctx,
  async (wctx, orderId) => {
    const left = await runAsTransaction(
      wctx,
      appDb,
      async (trx) => {
        const [row] = await trx`update stock set n = n - 1 where sku = 'mug' returning n`;
        await trx`insert into reservations (order_id) values (${orderId})`;
        if (crash === "before-commit") die();
        return row.n;
      },
      { name: "reserve", afterCommit: () => crash === "after-commit" && die() },
    );
    await runAsStep(
      wctx,
      async () => {
        if (crash === "after-both") die();
      },
      { name: "next" },
    );
    return left;
  },
  { name: "order" },
);

await launch(ctx);
const handle =
  (await retrieveWorkflow(ctx, "order-1").catch(() => undefined)) ??
  (await runWorkflow(ctx, order, "order-1", { workflowID: "order-1" }));
process.stdout.write(`${JSON.stringify(await handle.getResult({ timeoutMs: 20_000 }))}\n`);
await shutdown(ctx);
await sql.end();
