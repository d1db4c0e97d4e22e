// durably through a real PgBouncer in transaction mode (a pool of 3 server connections): two
// workers migrate a fresh database at once, then run workflows with steps and sleeps, a queue,
// messages, events, streams, a schedule and an adoption of a stopped worker's workflow. Once with a
// direct listenUrl (prompt wake-ups), once without (notifications never arrive: polling, said once).
import {
  createDBOSContext,
  enqueueWorkflow,
  getWorkflowID,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
  type Workflow,
} from "@durably/core";
import { getEvent, readStream, recv, send, setEvent, closeStream, writeStream } from "@durably/notifications";
import { listenQueues, registerQueue } from "@durably/queues";
import { createSchedule, startScheduler } from "@durably/scheduler";
import {
  assertPremise,
  pgbouncerBinary,
  skipForMissingPremise,
  startPgBouncer,
  type PgBouncer,
} from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { openSystemDatabase } from "@durably/sysdb";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const missing = pgbouncerBinary() === undefined ? "pgbouncer is not installed (apt-get install pgbouncer)" : undefined;
const skip = skipForMissingPremise("the PgBouncer tests", missing);
const databases = { direct: useTestDatabase(), polling: useTestDatabase(), probe: useTestDatabase() };

describe.skipIf(skip)("the listener's probe NOTIFY", () => {
  test("finds a LISTEN through the pooler deaf (said once, subscribers polled) and a direct one hearing", async () => {
    assertPremise(missing);
    const db = databases.probe;
    const bouncer = await startPgBouncer({ upstreamUrl: db.url, poolSize: 2 });
    const said: string[] = [];
    const open = (listenUrl: string, name: string) =>
      openSystemDatabase({
        url: bouncer.url(db.url),
        listenUrl,
        transactionPooler: true,
        onListenDeaf: (reason) => void said.push(`${name}: ${reason}`),
      });
    const pooled = open(bouncer.url(db.url), "pooled");
    const direct = open(db.url, "direct");
    try {
      let rechecks = 0;
      pooled.listener.onReconnect(() => void rechecks++);
      await Promise.all([pooled.listener.start(), direct.listener.start()]);
      expect(await pooled.listener.probe()).toBe(false);
      expect(await direct.listener.probe()).toBe(true);
      expect(await pooled.listener.probe()).toBe(false);
      expect(pooled.listener.deaf).toBe(true);
      expect(direct.listener.deaf).toBe(false);
      expect(said).toEqual(["pooled: a probe NOTIFY sent through the pool did not arrive"]);
      expect(rechecks).toBeGreaterThan(0);
    } finally {
      await Promise.all([pooled.close(), direct.close()]);
      await bouncer.stop();
    }
  });
});

describe.skipIf(skip).each([
  ["with a direct listenUrl", "direct"],
  ["without listenUrl (polling)", "polling"],
] as const)("through PgBouncer in transaction mode, %s", (_, variant) => {
  const db = databases[variant];
  let bouncer: PgBouncer;
  const warnings: string[] = [];
  const workers: DBOSContext[] = [];
  const stepRuns = new Map<string, number>();
  const flows = new Map<DBOSContext, { steps: Workflow<number, number>; waiter: Workflow<undefined, string> }>();

  function worker(executorId: string): DBOSContext {
    const ctx = createDBOSContext({
      appName: "pooled",
      applicationVersion: "v1",
      executorId,
      systemDatabaseUrl: bouncer.url(db.url),
      transactionPooler: true,
      ...(variant === "direct" ? { listenUrl: db.url } : {}),
      poolSize: 4,
      leaseRenewMs: 200,
      leaseLapseMs: 1_000,
      logger: { debug() {}, info() {}, warn: (message) => void warnings.push(`${executorId}: ${message}`), error() {} },
    });
    const steps = registerWorkflow(
      ctx,
      async (wctx: DBOSContext, n: number) => {
        let sum = 0;
        for (let i = 1; i <= 3; i++) {
          sum += await runAsStep(
            wctx,
            async () => {
              const key = `${getWorkflowID(wctx)}:${i}`;
              stepRuns.set(key, (stepRuns.get(key) ?? 0) + 1);
              return n * i;
            },
            { name: `part-${i}` },
          );
        }
        await sleep(wctx, 50);
        return sum;
      },
      { name: "steps" },
    );
    const waiter = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => {
        const message = await recv<string>(wctx, { topic: "go", timeoutMs: 60_000 });
        await setEvent(wctx, "got", message);
        await writeStream(wctx, "s", 1);
        await writeStream(wctx, "s", 2);
        await closeStream(wctx, "s");
        return `received ${message}`;
      },
      { name: "waiter" },
    );
    registerWorkflow(ctx, async () => "tick", { name: "tick" });
    flows.set(ctx, { steps, waiter });
    listenQueues(ctx, ["work"]);
    startScheduler(ctx, { pollingIntervalMs: 200 });
    workers.push(ctx);
    return ctx;
  }

  beforeAll(async () => {
    assertPremise(missing);
    bouncer = await startPgBouncer({ upstreamUrl: db.url, poolSize: 3 });
  });
  afterAll(async () => {
    for (const ctx of workers) await shutdown(ctx, { drainMs: 0 }).catch(() => undefined);
    await bouncer?.stop();
  });

  test("two workers launching at once migrate the fresh database once, through the pooler", async () => {
    const [a, b] = [worker("a"), worker("b")];
    await registerQueue(a, "work", { concurrency: 4 });
    await registerQueue(b, "work", { concurrency: 4 });
    await Promise.all([launch(a), launch(b)]);
    const direct = postgres(db.url, { max: 1, onnotice: () => undefined });
    try {
      const rows = await direct`select version from dbos.durably_migrations order by version`;
      expect(rows.map((r) => r.version)).toEqual([...rows.keys()].map((i) => i + 1));
    } finally {
      await direct.end();
    }
  });

  test("workflows with steps and sleeps, direct and queued, finish with the right output", async () => {
    const [a, b] = workers as [DBOSContext, DBOSContext];
    const direct = await Promise.all(
      [1, 2, 3].map((n) => runWorkflow(a, flows.get(a)!.steps, n, { workflowID: `d-${variant}-${n}` })),
    );
    const queued = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        enqueueWorkflow(b, flows.get(b)!.steps, n, { queue: "work", workflowID: `q-${variant}-${n}` }),
      ),
    );
    expect(await Promise.all(direct.map((h) => h.getResult()))).toEqual([6, 12, 18]);
    expect(await Promise.all(queued.map((h) => h.getResult({ timeoutMs: 60_000 })))).toEqual(
      Array.from({ length: 20 }, (_, n) => 6 * n),
    );
    for (const [key, runs] of stepRuns) expect(runs, key).toBe(1);
  });

  test("a message from another worker wakes a waiting workflow; its event and stream reach a reader", async () => {
    const [a, b] = workers as [DBOSContext, DBOSContext];
    const id = `w-${variant}`;
    const handle = await runWorkflow(a, flows.get(a)!.waiter, undefined, { workflowID: id });
    await send(b, id, "hello", { topic: "go" });
    expect(await handle.getResult()).toBe("received hello");
    expect(await getEvent(b, id, "got", { timeoutMs: 30_000 })).toBe("hello");
    const values: unknown[] = [];
    for await (const item of readStream(b, id, "s")) values.push(item.value);
    expect(values).toEqual([1, 2]);
  });

  test("a worker stops while its workflow waits; the other adopts it and it finishes once", async () => {
    const [a, b] = workers as [DBOSContext, DBOSContext];
    const id = `adopted-${variant}`;
    await runWorkflow(a, flows.get(a)!.waiter, undefined, { workflowID: id });
    await shutdown(a, { drainMs: 0 });
    await send(b, id, "later", { topic: "go" });
    const handle = await retrieveWorkflow(b, id);
    expect(await handle.getResult({ timeoutMs: 60_000 })).toBe("received later");
    expect((await handle.getStatus())?.executorID).toBe("b");
  });

  test("a per-second schedule fires through the pooler", async () => {
    const b = workers[1]!;
    await createSchedule(b, { name: `every-second-${variant}`, workflow: "tick", cron: "* * * * * *" });
    const direct = postgres(db.url, { max: 1, onnotice: () => undefined });
    try {
      for (let i = 0; i < 200; i++) {
        const [row] = await direct`select count(*)::int as n from dbos.workflow_status
          where schedule_name = ${`every-second-${variant}`} and status = 'SUCCESS'`;
        if (row!.n >= 2) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const [row] = await direct`select count(*)::int as n from dbos.workflow_status
        where schedule_name = ${`every-second-${variant}`} and status = 'SUCCESS'`;
      expect(row!.n).toBeGreaterThanOrEqual(2);
    } finally {
      await direct.end();
    }
  });

  test("PgBouncer killed (SIGKILL) and restarted mid-run: every queued workflow still finishes right", async () => {
    const b = workers[1]!;
    const handles = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        enqueueWorkflow(b, flows.get(b)!.steps, n, { queue: "work", workflowID: `r-${variant}-${n}` }),
      ),
    );
    await handles[0]!.getResult({ timeoutMs: 60_000 });
    const done = (await Promise.all(handles.map((h) => h.getStatus()))).filter((st) => st?.status === "SUCCESS");
    console.log(`PgBouncer restarted with ${done.length} of 40 queued workflows finished`);
    await bouncer.restart();
    expect(await Promise.all(handles.map((h) => h.getResult({ timeoutMs: 90_000 })))).toEqual(
      Array.from({ length: 40 }, (_, n) => 6 * n),
    );
  });

  test(variant === "direct" ? "the listener hears: no polling warning" : "each worker says once that it polls", () => {
    const polling = warnings.filter((w) => w.includes("notifications do not reach this process"));
    if (variant === "direct") expect(polling).toEqual([]);
    else expect(polling.sort()).toEqual([expect.stringMatching(/^a: /), expect.stringMatching(/^b: /)]);
  });
});
