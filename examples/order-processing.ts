// The demo: an order workflow (reserve inventory, charge payment, wait for pickup, ship) that
// survives kill -9. Inventory and payment are exactly-once transactions on the shop's own
// database; the pickup wait is a durable sleep. Run it, kill it mid-order, run it again: it
// resumes from the last completed step, and the payments table shows one charge.
import { resolve } from "node:path";
import postgres from "postgres";
import {
  checkDatabaseUrl,
  createDBOSContext,
  getWorkflowSteps,
  isDurablyError,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
} from "@durably/core";
import { postgresDatasource, runAsTransaction } from "@durably/datasource";
import { startEmbeddedPostgres } from "@durably/testing";

const orderID = process.argv[2] ?? "order-1001";
const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  let serverUrl = process.env.DBOS_SYSTEM_DATABASE_URL;
  if (serverUrl !== undefined) checkDatabaseUrl(serverUrl, "DBOS_SYSTEM_DATABASE_URL");
  if (serverUrl === undefined) {
    say("no DBOS_SYSTEM_DATABASE_URL: starting an embedded Postgres in ./.durably/ (the first start takes a few seconds)");
    serverUrl = (await startEmbeddedPostgres({ dataDir: resolve(".durably", "postgres") })).url;
  }
  const systemDatabaseUrl = withDatabase(serverUrl, process.env.DBOS_SYSTEM_DATABASE_URL ? undefined : "durably_demo");
  // The shop's own data lives in its own database on the same server.
  const shopUrl = withDatabase(serverUrl, "durably_demo_shop");
  await createDatabaseIfMissing(serverUrl, "durably_demo_shop");
  const shop = postgres(shopUrl, { max: 4, onnotice: () => {} });
  await shop`create table if not exists inventory (sku text primary key, available int not null)`;
  await shop`insert into inventory values ('durable-mug', 1000) on conflict do nothing`;
  await shop`create table if not exists payments (order_id text not null, amount_cents int not null, charged_at timestamptz default now())`;
  const shopDb = postgresDatasource(shop);

  async function processOrder(ctx: DBOSContext, order: string) {
    // Exactly once: the stock change and its completion record commit together.
    const available = await runAsTransaction(ctx, shopDb, async (trx) => {
      say(`  reserving inventory for ${order}...`);
      await pause(1000);
      const [row] = await trx`update inventory set available = available - 2 where sku = 'durable-mug' returning available`;
      return row!.available as number;
    }, { name: "reserve" });
    say(`✓ step 1 reserve: 2 × durable-mug (${available} left)`);

    const charged = await runAsTransaction(ctx, shopDb, async (trx) => {
      say(`  charging the card for ${order}...`);
      await pause(1000);
      await trx`insert into payments (order_id, amount_cents) values (${order}, 2400)`;
      return 2400;
    }, { name: "charge" });
    say(`✓ step 2 charge: ${charged / 100} USD`);

    say("  waiting 8 s for warehouse pickup (a durable sleep: kill me now, then run me again)");
    await sleep(ctx, 8000);
    say("✓ step 3 pickup window passed");

    const tracking = await runAsStep(ctx, async () => {
      say(`  shipping ${order}...`);
      await pause(1000);
      return `TRACK-${order.toUpperCase()}`;
    }, { name: "ship" });
    say(`✓ step 4 ship: ${tracking}`);
    return { order, charged, tracking };
  }

  const dbos = createDBOSContext({ appName: "order-demo", systemDatabaseUrl, applicationVersion: "demo-v2" });
  const workflow = registerWorkflow(dbos, processOrder, { name: "processOrder" });
  await launch(dbos); // recovers an order interrupted by an earlier kill
  try {
    say(`running workflow ${orderID} (pass another ID as an argument for a new order)`);
    const handle = await runWorkflow(dbos, workflow, orderID, { workflowID: orderID });
    say(`order complete: ${JSON.stringify(await handle.getResult())}`);
    const steps = await getWorkflowSteps(dbos, orderID);
    say(`checkpoints in Postgres: ${steps.map((s) => `${s.stepID}:${s.name}`).join(", ")}`);
    const [payments] = await shop`select count(*)::int as n from payments where order_id = ${orderID}`;
    say(`payments recorded for ${orderID} in the shop database: ${payments!.n}`);
  } finally {
    await shutdown(dbos);
    await shop.end();
  }
}

async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<void> {
  const admin = postgres(withDatabase(serverUrl, "postgres"), { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (exists === undefined) await admin.unsafe(`create database "${name}"`).catch((e: { code?: string }) => (e.code === "42P04" ? undefined : Promise.reject(e)));
  } finally {
    await admin.end();
  }
}

/** The same server, another database (or the URL's own when `database` is undefined). */
function withDatabase(url: string, database: string | undefined): string {
  if (database === undefined) return url;
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

// One line, no stack trace: durably's errors say cause and fix; the shop's own driver errors (they carry a code)
// get the demo's fix. Anything else is a bug, where the stack helps.
main().catch((error: unknown) => {
  const said = error instanceof Error ? error.message : String(error);
  const fix = "start Postgres, correct DBOS_SYSTEM_DATABASE_URL, or unset it to use an embedded Postgres";
  if (isDurablyError(error)) console.error(`error: ${said}`);
  else if (typeof (error as { code?: unknown } | null)?.code === "string") console.error(`error: ${said}: ${fix}.`);
  else console.error(error);
  process.exit(1);
});
