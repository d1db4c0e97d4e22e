// The demo: an order workflow (reserve inventory, charge payment, wait for pickup, ship) that
// survives kill -9. Inventory and payment are exactly-once transactions on the shop's own
// database; the pickup wait is a durable sleep. Run it, kill it mid-order, run it again: it
// resumes from the last completed step, and the payments table shows one charge.
import postgres from "postgres";
import {
  checkDatabaseUrl,
  createDBOSContext,
  getStepID,
  getWorkflowID,
  getWorkflowSteps,
  isDurablyError,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
  type StepInfo,
} from "@durably/core";
import { postgresDatasource, runAsTransaction } from "@durably/datasource";
import {
  devDatabaseUrl,
  devDataDir,
  embeddedPostgresStatus,
  maskPassword,
  startEmbeddedPostgres,
  withDatabase,
} from "@durably/testing";

const orderID = process.argv[2] ?? "order-1001";
const clockOf = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const clock = () => clockOf(Date.now());
/** A line about the whole run. */
const say = (line: string) => console.log(`[${clock()}] ${line}`);
/** A line about one order, prefixed with its ID: an order recovered at launch runs alongside the new one. */
const sayFor = (order: string, line: string) => console.log(`[${clock()} ${order}] ${line}`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const systemDatabaseUrl = await systemDatabase();
  // The shop's own data lives in its own database on the same server.
  const shopDatabase = `${new URL(systemDatabaseUrl).pathname.slice(1)}_shop`;
  await createDatabaseIfMissing(systemDatabaseUrl, shopDatabase);
  const shop = postgres(withDatabase(systemDatabaseUrl, shopDatabase), { max: 4, onnotice: () => {} });
  await shop`create table if not exists inventory (sku text primary key, available int not null)`;
  await shop`insert into inventory values ('durable-mug', 1000) on conflict do nothing`;
  await shop`create table if not exists payments
    (order_id text not null, amount_cents int not null, charged_at timestamptz default now())`;
  const shopDb = postgresDatasource(shop);

  async function processOrder(ctx: DBOSContext, order: string) {
    const say = (line: string) => sayFor(order, line);
    // After a kill, the steps recorded before it are replayed from their checkpoints, not run again.
    const recorded = new Map((await getWorkflowSteps(ctx, getWorkflowID(ctx))).map((s) => [s.stepID, s]));
    if (recorded.size > 0) {
      const next = Math.max(...recorded.keys()) + 1;
      say(`recovered ${order}: ${describeSteps([...recorded.values()])} from checkpoints, continuing at step ${next}`);
    }
    const ran = (stepID: number, line: string) => recorded.has(stepID) || say(`✓ step ${stepID} ${line}`);

    let stepID = getStepID(ctx);
    // Exactly once: the stock change and its completion record commit together.
    const available = await runAsTransaction(
      ctx,
      shopDb,
      async (trx) => {
        say(`  reserving inventory for ${order}...`);
        await pause(1000);
        const [row] =
          await trx`update inventory set available = available - 2 where sku = 'durable-mug' returning available`;
        return row!.available as number;
      },
      { name: "reserve" },
    );
    ran(stepID, `reserve: 2 × durable-mug (${available} left)`);

    stepID = getStepID(ctx);
    const charged = await runAsTransaction(
      ctx,
      shopDb,
      async (trx) => {
        say(`  charging the card for ${order}...`);
        await pause(1000);
        await trx`insert into payments (order_id, amount_cents) values (${order}, 2400)`;
        return 2400;
      },
      { name: "charge" },
    );
    ran(stepID, `charge: ${charged / 100} USD`);

    stepID = getStepID(ctx);
    // A sleep recorded before the kill keeps its wake-up time: only what remains is waited.
    const wakeAt = recorded.get(stepID)?.output as number | undefined;
    const waits = wakeAt === undefined || wakeAt > Date.now();
    if (wakeAt === undefined) {
      say("  waiting 8 s for warehouse pickup (a durable sleep: kill me now, then run me again)");
    } else if (waits) {
      const left = Math.ceil((wakeAt - Date.now()) / 1000);
      say(`  the pickup wait (step ${stepID}) ends at ${clockOf(wakeAt)}, in ${left} s`);
    }
    await sleep(ctx, 8000);
    if (waits) say(`✓ step ${stepID} pickup window passed`);

    stepID = getStepID(ctx);
    const tracking = await runAsStep(
      ctx,
      async () => {
        say(`  shipping ${order}...`);
        await pause(1000);
        return `TRACK-${order.toUpperCase()}`;
      },
      { name: "ship" },
    );
    ran(stepID, `ship: ${tracking}`);
    return { order, charged, tracking };
  }

  const dbos = createDBOSContext({ appName: "order-demo", systemDatabaseUrl, applicationVersion: "demo-v2" });
  const workflow = registerWorkflow(dbos, processOrder, { name: "processOrder" });
  await launch(dbos); // recovers orders interrupted by an earlier kill; they print under their own order ID
  try {
    sayFor(orderID, `running workflow ${orderID} (pass another ID as an argument for a new order)`);
    const handle = await runWorkflow(dbos, workflow, orderID, { workflowID: orderID });
    sayFor(orderID, `order complete: ${JSON.stringify(await handle.getResult())}`);
    const steps = await getWorkflowSteps(dbos, orderID);
    sayFor(orderID, `checkpoints in Postgres: ${steps.map((s) => `${s.stepID}:${s.name}`).join(", ")}`);
    const [payments] = await shop`select count(*)::int as n from payments where order_id = ${orderID}`;
    sayFor(orderID, `payments recorded for ${orderID} in the shop database: ${payments!.n}`);
  } finally {
    await shutdown(dbos);
    await shop.end();
  }
}

/** DBOS_SYSTEM_DATABASE_URL, else the database of the project's dev server (`durably dev-db`), started if needed. */
async function systemDatabase(): Promise<string> {
  const given = process.env.DBOS_SYSTEM_DATABASE_URL;
  if (given !== undefined) {
    checkDatabaseUrl(given, "DBOS_SYSTEM_DATABASE_URL");
    say(`system database: ${maskPassword(given)} (from DBOS_SYSTEM_DATABASE_URL)`);
    return given;
  }
  const dataDir = devDataDir();
  const running = (await embeddedPostgresStatus(dataDir)).running;
  const what = running
    ? "using the dev Postgres running in"
    : "starting the dev Postgres (a few seconds the first time) in";
  say(`no DBOS_SYSTEM_DATABASE_URL: ${what} ${dataDir}`);
  const url = devDatabaseUrl((await startEmbeddedPostgres({ dataDir })).url);
  say(`system database: ${maskPassword(url)} (pnpm durably dev-db start prints it in full)`);
  return url;
}

/** "steps 0–2 (reserve, charge, DBOS.sleep)", numbered as stored, as `durably workflow steps` shows them. */
function describeSteps(steps: StepInfo[]): string {
  const ids = steps.map((s) => s.stepID);
  const range = ids.length === 1 ? `step ${ids[0]}` : `steps ${Math.min(...ids)}–${Math.max(...ids)}`;
  return `${range} (${steps.map((s) => s.name).join(", ")})`;
}

async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<void> {
  const admin = postgres(withDatabase(serverUrl, "postgres"), { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
    if (exists === undefined)
      await admin
        .unsafe(`create database "${name}"`)
        .catch((e: { code?: string }) => (e.code === "42P04" ? undefined : Promise.reject(e)));
  } finally {
    await admin.end();
  }
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
