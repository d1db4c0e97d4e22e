// The client side of faults, one at a time through our TCP proxy: launch waits out a server that
// is restarting (within its connect timeout, and no longer), and a caller waiting on getResult
// rides out connection resets.
import {
  createDBOSContext,
  isDurablyError,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
} from "@durably/core";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterEach, expect, it } from "vitest";
import { TcpProxy } from "./support/tcp-proxy.js";

const database = useTestDatabase();
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function proxiedUrl(): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(database.url);
  const proxy = await TcpProxy.start(Number(target.port || 5432));
  cleanups.push(() => proxy.close());
  target.hostname = "127.0.0.1";
  target.port = String(proxy.port);
  return { proxy, url: target.toString() };
}

function context(url: string, executorId: string, connectTimeoutMs = 10_000) {
  const ctx = createDBOSContext({
    appName: "resilience",
    systemDatabaseUrl: url,
    executorId,
    applicationVersion: "1",
    logger: quiet,
    connectTimeoutMs,
  });
  const napThenAnswer = registerWorkflow(ctx, async function napThenAnswer(c: DBOSContext, ms: number) {
    await sleep(c, ms);
    return 42;
  });
  cleanups.push(() => shutdown(ctx, { timeoutMs: 0 }));
  return { ctx, napThenAnswer };
}

it("launch waits for a server that refuses connections for a while (a restart)", async () => {
  const { proxy, url } = await proxiedUrl();
  proxy.refuseNew();
  const { ctx, napThenAnswer } = context(url, "restart");
  let settled = false;
  const launched = launch(ctx).finally(() => (settled = true));
  await new Promise((r) => setTimeout(r, 1_500));
  // Premise: launch is still waiting, and no connection got through while the proxy refused.
  expect({ settled, accepted: proxy.stats.accepted }).toEqual({ settled: false, accepted: 0 });
  await proxy.acceptNew();
  await launched;
  await expect((await runWorkflow(ctx, napThenAnswer, 0)).getResult()).resolves.toBe(42);
}, 30_000);

it("launch fails with DATABASE_UNAVAILABLE once connectTimeoutMs has passed", async () => {
  const { proxy, url } = await proxiedUrl();
  proxy.refuseNew();
  const { ctx } = context(url, "gone", 1_000);
  const started = Date.now();
  const error = await launch(ctx).catch((e: unknown) => e);
  expect(isDurablyError(error, "DATABASE_UNAVAILABLE"), String(error)).toBe(true);
  expect(proxy.stats.accepted).toBe(0); // premise: every attempt was refused
  expect(Date.now() - started).toBeLessThan(5_000);
}, 30_000);

it("getResult keeps waiting through connection resets while it polls", async () => {
  const runner = context(database.url, "runner");
  await launch(runner.ctx);
  await runWorkflow(runner.ctx, runner.napThenAnswer, 2_000, { workflowID: "slow-answer" });

  const { proxy, url } = await proxiedUrl();
  const waiter = context(url, "waiter");
  await launch(waiter.ctx);
  const handle = await retrieveWorkflow(waiter.ctx, "slow-answer");
  // The next three reads of the workflow's row (getResult's polls) lose their connection mid-reply.
  proxy.dropReplyTo("left join", { count: 3 });
  await expect(handle.getResult()).resolves.toBe(42);
  expect(proxy.stats.droppedReplies).toBe(3);
}, 30_000);
