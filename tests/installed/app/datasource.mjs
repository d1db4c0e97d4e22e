// @durably/datasource as the README shows it, from plain JavaScript, on the user's own `postgres`
// (the package's peer, installed from npm): a transaction step commits its write exactly once,
// with its completion record in the application database, and a second start of the same workflow
// returns the recorded result without running the body again.
//   node datasource.mjs <system database url> <application database url>
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { createDBOSContext, getWorkflowSteps, launch, registerWorkflow, runWorkflow, shutdown } from "@durably/core";
import { postgresDatasource, runAsTransaction } from "@durably/datasource";
import { check, deadline } from "./report.mjs";

const [url, shopUrl] = process.argv.slice(2);
if (!url || !shopUrl) throw new Error("usage: node datasource.mjs <system database url> <application database url>");
deadline(30_000, "@durably/datasource");

const sql = postgres(shopUrl, { max: 2, onnotice: () => {}, connect_timeout: 10 });
const dbos = createDBOSContext({ appName: "installed-datasource", systemDatabaseUrl: url });
const shopDb = postgresDatasource(sql);
let bodies = 0;
const reserve = registerWorkflow(dbos, async function reserve(ctx, sku) {
  return runAsTransaction(
    ctx,
    shopDb,
    async (trx) => {
      bodies++;
      const [row] = await trx`update inventory set available = available - 1 where sku = ${sku} returning available`;
      return row.available;
    },
    { name: "reserve", isolation: "serializable" },
  );
});
await launch(dbos);
try {
  await sql`create table if not exists inventory (sku text primary key, available int not null)`;
  await sql`insert into inventory values ('book', 10) on conflict (sku) do update set available = 10`;
  const workflowID = `reserve-${randomUUID()}`;
  const first = await (await runWorkflow(dbos, reserve, "book", { workflowID })).getResult();
  const again = await (await runWorkflow(dbos, reserve, "book", { workflowID })).getResult();
  const [{ available }] = await sql`select available from inventory where sku = 'book'`;
  check(
    first === 9 && again === 9 && available === 9 && bodies === 1,
    "@durably/datasource: a transaction step commits once; the same workflow started again returns its result",
    JSON.stringify({ first, again, available, bodies }),
  );
  const completions =
    await sql`select step_id, output from dbos.transaction_completion where workflow_id = ${workflowID}`;
  const steps = await getWorkflowSteps(dbos, workflowID);
  check(
    completions.length === 1 && steps.length === 1 && steps[0].name === "reserve" && steps[0].output === 9,
    "@durably/datasource: its completion record is in the application database, its checkpoint in the system one",
    JSON.stringify({ completions, steps }),
  );
} finally {
  await shutdown(dbos);
  await sql.end({ timeout: 1 });
}
