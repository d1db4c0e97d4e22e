// Settings managed providers impose: idle_session_timeout kills every idle connection (the pool's
// and the listener's) within half a second, idle_in_transaction_session_timeout and
// statement_timeout are set low. Workflows with steps, sleeps and a message still finish.
import {
  createDBOSContext,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
} from "@durably/core";
import { recv, send } from "@durably/notifications";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { afterAll, beforeAll, expect, test } from "vitest";

const db = useTestDatabase({ template: migratedTemplate });
const workers: DBOSContext[] = [];

beforeAll(async () => {
  const admin = postgres(db.url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await admin`select current_setting('server_version_num')::int as v, current_database() as name`;
    // idle_session_timeout exists from Postgres 14.
    const settings = ["idle_in_transaction_session_timeout = '2s'", "statement_timeout = '10s'"];
    if (row!.v >= 140000) settings.push("idle_session_timeout = '500ms'");
    for (const setting of settings) await admin.unsafe(`alter database "${row!.name}" set ${setting}`);
  } finally {
    await admin.end();
  }
});
afterAll(async () => {
  for (const ctx of workers) await shutdown(ctx, { drainMs: 0 }).catch(() => undefined);
});

test("idle sessions killed by the server are reconnected: steps, sleeps and a message across them", async () => {
  const make = (executorId: string) => {
    const ctx = createDBOSContext({
      appName: "provider",
      applicationVersion: "v1",
      executorId,
      systemDatabaseUrl: db.url,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const flow = registerWorkflow(
      ctx,
      async (wctx: DBOSContext, n: number) => {
        const a = await runAsStep(wctx, async () => n + 1, { name: "a" });
        await sleep(wctx, 1_200); // longer than idle_session_timeout: the pool's connections are killed meanwhile
        const message = await recv<string>(wctx, { topic: "go", timeoutMs: 60_000 });
        return `${a}:${message}`;
      },
      { name: "idle-flow" },
    );
    workers.push(ctx);
    return { ctx, flow };
  };
  const a = make("a");
  const b = make("b");
  await launch(a.ctx);
  await launch(b.ctx);
  const handles = await Promise.all([1, 2, 3].map((n) => runWorkflow(a.ctx, a.flow, n, { workflowID: `idle-${n}` })));
  await new Promise((resolve) => setTimeout(resolve, 2_500)); // every idle session (and the listener) killed
  for (const n of [1, 2, 3]) await send(b.ctx, `idle-${n}`, `m${n}`, { topic: "go" });
  expect(await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 60_000 })))).toEqual(["2:m1", "3:m2", "4:m3"]);
});
