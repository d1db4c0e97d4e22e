// The order guarantee: messages of one topic sent one after another are received oldest first,
// whoever sends them (this process, a client, DBOS's client), whether the receiver is waiting
// (hand-over) or not (stored), and across a restart of the receiver. Sends are awaited one by
// one; durably's senders read a coarse clock (it ticks every 20 ms, as on some virtual machines)
// and DBOS's client sends fast, so many messages share a timestamp: a clock cannot order them.
// Two senders whose clocks disagree cannot be ordered by their clocks either.
import { DBOSClient } from "@dbos-inc/dbos-sdk";
import {
  createClient,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { describe, expect, test } from "vitest";
import { recv, send } from "../src/index.js";
import { quietLogger, testContext, withSysdb } from "./support/notifications-test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
const count = 300;
const topic = "in-order";
const numbers = Array.from({ length: count }, (_, i) => i);
/** A clock that ticks every 20 ms. */
const coarseClock = { now: () => Math.floor(Date.now() / 20) * 20 };
const durablyClient = (clock = coarseClock) => createClient({ systemDatabaseUrl: db.url, logger: quietLogger, clock });

/** A context whose workflow "ordered" receives `count` messages on `topic` and returns them. */
function receiver() {
  const ctx = testContext(db.url, "order-test", "o-v1", { clock: coarseClock });
  const wf = registerWorkflow(
    ctx,
    async (wctx: DBOSContext) => {
      const received: number[] = [];
      for (let i = 0; i < count; i++) received.push(await recv<number>(wctx, { topic, timeoutMs: 120_000 }));
      return received;
    },
    { name: "ordered" },
  );
  return { ctx, wf };
}

/** How many messages the workflow has consumed so far. */
const consumed = (workflowID: string) =>
  withSysdb(db.url, async (sysdb) => {
    const [row] = await sysdb.sql`select count(*)::int as n from dbos.notifications
        where destination_uuid = ${workflowID} and consumed`;
    return row!.n as number;
  });

/** How many timestamps the workflow's messages share: where a clock cannot tell their order. */
async function tiedTimestamps(workflowID: string): Promise<number> {
  const [row] = await withSysdb(
    db.url,
    (sysdb) => sysdb.sql`
    select count(*)::int as n from (
      select created_at_epoch_ms from dbos.notifications where destination_uuid = ${workflowID}
      group by created_at_epoch_ms having count(*) > 1) tied`,
  );
  return row!.n as number;
}

/** Asserts the premise that makes the test able to fail: messages share timestamps. */
async function assertSameMillisecondSends(workflowID: string): Promise<void> {
  expect(
    await tiedTimestamps(workflowID),
    "no two messages share a timestamp: the order was not at stake",
  ).toBeGreaterThan(0);
}

describe("messages of one topic are received in the order they were sent", () => {
  test.each([
    ["the receiver's own context (hand-over to the waiting receiver)", "own"],
    ["a durably client", "client"],
  ] as const)(
    "%s: 300 sends awaited one by one reach 300 recv calls oldest first",
    async (_, sender) => {
      const { ctx, wf } = receiver();
      await launch(ctx);
      const client = sender === "client" ? await durablyClient() : ctx;
      const workflowID = `ordered-${sender}`;
      try {
        const handle = await runWorkflow(ctx, wf, undefined, { workflowID });
        for (const n of numbers) await send(client, workflowID, n, { topic });
        expect(await handle.getResult({ timeoutMs: 120_000 })).toEqual(numbers);
        await assertSameMillisecondSends(workflowID);
      } finally {
        if (client !== ctx) await shutdown(client);
        await shutdown(ctx);
      }
    },
    180_000,
  );

  test("across a restart of the receiver midway, while sends go on", async () => {
    const first = receiver();
    await launch(first.ctx);
    const client = await durablyClient();
    const workflowID = "ordered-restart";
    let second: ReturnType<typeof receiver> | undefined;
    try {
      await runWorkflow(first.ctx, first.wf, undefined, { workflowID });
      for (const n of numbers.slice(0, 100)) await send(client, workflowID, n, { topic });
      await expect.poll(() => consumed(workflowID), { timeout: 60_000 }).toBeGreaterThan(50);
      await shutdown(first.ctx, { timeoutMs: 0 });
      for (const n of numbers.slice(100, 200)) await send(client, workflowID, n, { topic });
      second = receiver();
      const relaunched = launch(second.ctx); // recovers the workflow while the last sends arrive
      for (const n of numbers.slice(200)) await send(client, workflowID, n, { topic });
      await relaunched;
      const handle = await retrieveWorkflow(second.ctx, workflowID);
      expect(await handle.getResult({ timeoutMs: 120_000 })).toEqual(numbers);
      await assertSameMillisecondSends(workflowID);
    } finally {
      await shutdown(client);
      if (second !== undefined) await shutdown(second.ctx);
      await shutdown(first.ctx);
    }
  }, 180_000);

  test("sent by two clients in turn whose clocks disagree by a second", async () => {
    const { ctx, wf } = receiver();
    await launch(ctx);
    const ahead = await durablyClient({ now: () => Date.now() + 1_000 });
    const onTime = await durablyClient({ now: () => Date.now() });
    const workflowID = "ordered-two-clocks";
    try {
      const handle = await runWorkflow(ctx, wf, undefined, { workflowID });
      for (const n of numbers) await send(n % 2 === 0 ? ahead : onTime, workflowID, n, { topic });
      expect(await handle.getResult({ timeoutMs: 120_000 })).toEqual(numbers);
    } finally {
      await shutdown(ahead);
      await shutdown(onTime);
      await shutdown(ctx);
    }
  }, 180_000);

  test("sent from DBOS 5.3.0's client", async ({ skip }) => {
    const { ctx, wf } = receiver();
    await launch(ctx);
    const client = await DBOSClient.create({ systemDatabaseUrl: db.url });
    const workflowID = "ordered-dbos";
    try {
      const handle = await runWorkflow(ctx, wf, undefined, { workflowID });
      for (const n of numbers) await client.send(workflowID, n, topic);
      expect(await handle.getResult({ timeoutMs: 120_000 })).toEqual(numbers);
      // DBOS's client stamps messages with the server's clock; on a slow host no two may share a millisecond.
      if ((await tiedTimestamps(workflowID)) === 0)
        skip("no two DBOS sends shared a millisecond, so their order was not at stake");
    } finally {
      await client.destroy();
      await shutdown(ctx);
    }
  }, 180_000);

  test("sent in turn by DBOS 5.3.0's client and a durably " +
    "client whose clock is a second ahead of the server's", async () => {
    const { ctx, wf } = receiver();
    await launch(ctx);
    const dbos = await DBOSClient.create({ systemDatabaseUrl: db.url });
    const ahead = await durablyClient({ now: () => Date.now() + 1_000 });
    const workflowID = "ordered-dbos-mixed";
    try {
      const handle = await runWorkflow(ctx, wf, undefined, { workflowID });
      for (const n of numbers)
        await (n % 2 === 0 ? send(ahead, workflowID, n, { topic }) : dbos.send(workflowID, n, topic));
      expect(await handle.getResult({ timeoutMs: 120_000 })).toEqual(numbers);
    } finally {
      await dbos.destroy();
      await shutdown(ahead);
      await shutdown(ctx);
    }
  }, 180_000);

  test("a locked oldest message is waited for, not skipped for a newer one", async () => {
    const { ctx } = receiver();
    const gated = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => {
        await recv(wctx, { topic: "gate", timeoutMs: 60_000 });
        return await recv<string>(wctx, { topic, timeoutMs: 60_000 });
      },
      { name: "gated" },
    );
    await launch(ctx);
    const workflowID = "ordered-locked";
    try {
      const handle = await runWorkflow(ctx, gated, undefined, { workflowID });
      await send(ctx, workflowID, "oldest", { topic });
      await send(ctx, workflowID, "newer", { topic });
      await withSysdb(db.url, async (sysdb) => {
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        // Another session locks the oldest message for a moment, as a statement of a run that has
        // lost the workflow (and so consumes nothing) would.
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const holder = sysdb.sql.begin(async (tx) => {
          const rows = await tx`select 1 from dbos.notifications where destination_uuid = ${workflowID}
              and message like '%oldest%' for update`;
          expect(rows).toHaveLength(1);
          locked();
          await released;
        });
        await isLocked;
        await send(ctx, workflowID, "open", { topic: "gate" });
        // Until the receiver either finished (it skipped the lock) or waits for it.
        await expect
          .poll(
            async () => {
              const [row] = await sysdb.sql`
            select (select status from dbos.workflow_status where workflow_uuid = ${workflowID}) = 'SUCCESS'
                or exists (select 1 from pg_stat_activity
                  where datname = current_database() and wait_event_type = 'Lock') as settled`;
              return row!.settled;
            },
            { timeout: 30_000 },
          )
          .toBe(true);
        release();
        await holder;
      });
      expect(await handle.getResult({ timeoutMs: 30_000 })).toBe("oldest");
    } finally {
      await shutdown(ctx);
    }
  }, 60_000);
});
