// The in-process hand-over: a send to a receiver waiting in this process receives the message in
// the send's own statement, and a setEvent hands its value to getEvent callers here. What must
// hold: the same rows as the ordinary path, no read-back statement, and exactly-once delivery
// whatever races the hand-over meets (concurrent senders, duplicate keys, a fenced receiver).
import {
  getWorkflowSteps,
  launch,
  registerWorkflow,
  resumeWorkflow,
  runWorkflow,
  shutdown,
  type DBOSConfig,
  type DBOSContext,
} from "@durably/core";
import { migratedTemplate, type SystemDatabase } from "@durably/sysdb";
import {
  insertMessage,
  insertMessageForReceiver,
  setWorkflowEvent,
  type NewMessage,
  type StepKey,
} from "@durably/sysdb/queries";
import { useTestDatabase } from "@durably/testing/vitest";
import { describe, expect, test } from "vitest";
import { getEvent, recv, send, setEvent } from "../src/index.js";
import { testContext, withSysdb as withSysdbAt } from "./support/notifications-test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
const context = (config: Partial<DBOSConfig> = {}) => testContext(db.url, "hand-over-test", "h-v1", config);

/** A context that logs the text of every statement it sends. */
function loggingContext(config: Partial<DBOSConfig> = {}): { ctx: DBOSContext; statements: string[] } {
  const statements: string[] = [];
  return { ctx: context({ ...config, onQuery: (sql) => void statements.push(sql) }), statements };
}

const withSysdb = <T>(fn: (sysdb: SystemDatabase) => Promise<T>): Promise<T> => withSysdbAt(db.url, fn);

/** Resolves once the workflow's recv has recorded its deadline, i.e. it is waiting. */
async function waitingInRecv(ctx: DBOSContext, workflowID: string, sleepStepID = 1): Promise<void> {
  await expect
    .poll(async () =>
      (await getWorkflowSteps(ctx, workflowID)).some((s) => s.stepID === sleepStepID && s.name === "DBOS.sleep"),
    )
    .toBe(true);
}

describe("send to a receiver waiting in this process", () => {
  test("is received in the send's own statement, with the rows the ordinary path writes", async () => {
    const { ctx, statements } = loggingContext({ pollIntervalMs: 30_000 });
    const wf = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => recv<{ paid: boolean }>(wctx, { topic: "payment", timeoutMs: 20_000 }),
      { name: "inbox" },
    );
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, wf, undefined, { workflowID: "order-1" });
      await waitingInRecv(ctx, "order-1");
      statements.length = 0;
      await send(ctx, "order-1", { paid: true }, { topic: "payment" });
      expect(await handle.getResult({ timeoutMs: 5_000 })).toEqual({ paid: true });
      // No statement of the receiver's own: neither a consume nor a read of its checkpoint.
      expect(statements.filter((s) => s.includes("notifications")).length).toBe(1);
      expect(statements.some((s) => /for update skip locked/.test(s))).toBe(false);

      const rows = await withSysdb(
        (sysdb) => sysdb.sql`select consumed, consumed_by_function_id, topic from dbos.notifications
            where destination_uuid = 'order-1'`,
      );
      expect(rows).toEqual([{ consumed: true, consumed_by_function_id: 0, topic: "payment" }]);
      const steps = await getWorkflowSteps(ctx, "order-1");
      expect(steps.map((s) => [s.stepID, s.name])).toEqual([
        [0, "DBOS.recv"],
        [1, "DBOS.sleep"],
      ]);
      expect(steps[0]!.output).toEqual({ paid: true });
    } finally {
      await shutdown(ctx);
    }
  });

  test(
    "concurrent senders, duplicate keys and a second " + "process's sends: every message is received exactly once",
    async () => {
      const local = context();
      const other = context(); // another runtime: its sends take the ordinary path, racing the hand-overs
      const total = 60;
      const wf = registerWorkflow(
        local,
        async (wctx: DBOSContext) => {
          const got: number[] = [];
          for (let i = 0; i < total; i++) got.push(await recv<number>(wctx, { topic: "n", timeoutMs: 20_000 }));
          const extra = await recv<number>(wctx, { topic: "n", timeoutMs: 500 }).catch(() => "none");
          return { got, extra };
        },
        { name: "collector" },
      );
      registerWorkflow(other, async () => undefined, { name: "collector" });
      await launch(local);
      await launch(other);
      try {
        const handle = await runWorkflow(local, wf, undefined, { workflowID: "collector-1" });
        const sender = (from: number, ctx: DBOSContext) => async () => {
          for (let n = from; n < total; n += 4) {
            // Each message twice with one key, concurrently: one delivery.
            const key = `message-${n}`;
            await Promise.all([
              send(ctx, "collector-1", n, { topic: "n", idempotencyKey: key }),
              send(ctx, "collector-1", n, { topic: "n", idempotencyKey: key }),
            ]);
          }
        };
        await Promise.all([sender(0, local)(), sender(1, local)(), sender(2, local)(), sender(3, other)()]);
        const { got, extra } = (await handle.getResult({ timeoutMs: 30_000 })) as { got: number[]; extra: unknown };
        expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, n) => n));
        expect(extra).toBe("none");
        const rows = await withSysdb(
          (sysdb) => sysdb.sql`select count(*)::int as n, count(*) filter (where consumed)::int as consumed
          from dbos.notifications
            where destination_uuid = 'collector-1'`,
        );
        expect(rows).toEqual([{ n: total, consumed: total }]);
      } finally {
        await shutdown(local);
        await shutdown(other);
      }
    },
  );

  test(
    "the statement only receives for a free step of the run " + "that owns the workflow, behind no older message",
    async () => {
      await withSysdb(async (sysdb) => {
        const { sql } = sysdb;
        await sql`insert into dbos.workflow_status (workflow_uuid, status, name, owner_xid)
        values ('r-1', 'PENDING', 'inbox', 'run-a')`;
        const receiver = (stepID: number, ownerXid = "run-a"): StepKey => ({
          workflowID: "r-1",
          stepID,
          ownerXid,
          applicationName: "app",
          startedAt: 1,
          now: 2,
        });
        const message = (id: string): NewMessage => ({
          destinationID: "r-1",
          topic: "t",
          message: `"${id}"`,
          serialization: "portable_json",
          messageID: id,
          now: Date.now(),
        });
        const checkpoints = async () =>
          (await sql`select function_id from dbos.operation_outputs where workflow_uuid = 'r-1' order by 1`).map(
            (r) => r.function_id,
          );

        const messages = async () =>
          (
            await sql`select message_uuid, consumed from dbos.notifications where destination_uuid = 'r-1' order by 1`
          ).map((r) => `${r.message_uuid}:${r.consumed}`);

        // Another run owns the workflow now: nothing is written (send then stores the message).
        expect(await insertMessageForReceiver(sysdb, message("m1"), receiver(0, "run-old"), "DBOS.recv")).toBe(false);
        expect(await messages()).toEqual([]);
        // An older message waits on the topic: it goes first, so the new one is not received.
        expect(await insertMessage(sysdb, message("m1"))).toBe(true);
        expect(await insertMessageForReceiver(sysdb, message("m2"), receiver(0), "DBOS.recv")).toBe(false);
        expect(await checkpoints()).toEqual([]);
        await sql`update dbos.notifications set consumed = true`;
        // The step is already recorded (the receiver's own try won): nothing written.
        await sql`insert into dbos.operation_outputs (workflow_uuid, function_id, function_name, output)
        values ('r-1', 0, 'DBOS.recv', '"m1"')`;
        expect(await insertMessageForReceiver(sysdb, message("m3"), receiver(0), "DBOS.recv")).toBe(false);
        expect(await messages()).toEqual(["m1:true"]);
        // All clear: received at the step.
        expect(await insertMessageForReceiver(sysdb, message("m4"), receiver(2), "DBOS.recv")).toBe(true);
        expect(await checkpoints()).toEqual([0, 2]);
        expect(await messages()).toEqual(["m1:true", "m4:true"]);
        // A replayed send (its ID is taken) writes nothing, not even the checkpoint.
        expect(await insertMessageForReceiver(sysdb, message("m4"), receiver(4), "DBOS.recv")).toBe(false);
        expect(await checkpoints()).toEqual([0, 2]);
      });
    },
  );

  test("a replayed send from a workflow, with the receiver waiting again, is not delivered twice", async () => {
    const ctx = context();
    const receiver = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => [
        await recv<string>(wctx, { timeoutMs: 20_000 }),
        await recv<string>(wctx, { timeoutMs: 1_500 }).catch(() => "none"),
      ],
      { name: "twice" },
    );
    let sends = 0;
    const sender = registerWorkflow(
      ctx,
      async (wctx: DBOSContext, to: string) => {
        sends++;
        await send(wctx, to, "once");
      },
      { name: "sender" },
    );
    await launch(ctx);
    try {
      const inbox = await runWorkflow(ctx, receiver, undefined, { workflowID: "twice-1" });
      await waitingInRecv(ctx, "twice-1");
      await (await runWorkflow(ctx, sender, "twice-1", { workflowID: "sender-1" })).getResult();
      await waitingInRecv(ctx, "twice-1", 3);
      // Run the sender again as if its send checkpoint had been lost (a crash right after the send).
      await withSysdb(async ({ sql }) => {
        await sql`delete from dbos.operation_outputs where workflow_uuid = 'sender-1'`;
        await sql`update dbos.workflow_status set status = 'CANCELLED' where workflow_uuid = 'sender-1'`;
      });
      await (await resumeWorkflow(ctx, "sender-1")).getResult({ timeoutMs: 10_000 });
      expect(await inbox.getResult({ timeoutMs: 10_000 })).toEqual(["once", "none"]);
      expect(sends).toBe(2);
    } finally {
      await shutdown(ctx);
    }
  });

  test(
    "a send retried after its first try committed unseen (a lost reply) wakes the receiver, which returns " +
      "that message at once",
    async () => {
      const ctx = context({ pollIntervalMs: 30_000 });
      const wf = registerWorkflow(ctx, async (wctx: DBOSContext) => recv<string>(wctx, { timeoutMs: 60_000 }), {
        name: "orphaned",
      });
      await launch(ctx);
      try {
        const handle = await runWorkflow(ctx, wf, undefined, { workflowID: "orphaned-1" });
        await waitingInRecv(ctx, "orphaned-1");
        // The first try: the step is recorded and the message stored consumed, but the reply never
        // came back, so the receiver was not handed anything (and no trigger NOTIFYs such a row).
        await withSysdb(async (sysdb) => {
          const [status] =
            await sysdb.sql`select owner_xid from dbos.workflow_status where workflow_uuid = 'orphaned-1'`;
          const receiver: StepKey = {
            workflowID: "orphaned-1",
            stepID: 0,
            ownerXid: status!.owner_xid as string,
            applicationName: "hand-over-test",
            startedAt: 1,
            now: 2,
          };
          const message: NewMessage = {
            destinationID: "orphaned-1",
            topic: "__null__topic__",
            message: '"lost reply"',
            serialization: "portable_json",
            messageID: "lost-1::orphaned-1",
            now: Date.now(),
          };
          expect(await insertMessageForReceiver(sysdb, message, receiver, "DBOS.recv")).toBe(true);
        });
        // The retry finds its message ID taken and wakes the receiver, which must read what its
        // step recorded: there is no unconsumed message left to take.
        await send(ctx, "orphaned-1", "retried", { idempotencyKey: "lost-1" });
        expect(await handle.getResult({ timeoutMs: 10_000 })).toBe("lost reply");
      } finally {
        await shutdown(ctx);
      }
    },
  );
});

describe("setEvent to a getEvent waiting in this process", () => {
  test(
    "the event statement writes only for a free step of the run that owns the workflow, and then writes " +
      "everything",
    async () => {
      await withSysdb(async (sysdb) => {
        const { sql } = sysdb;
        await sql`insert into dbos.workflow_status (workflow_uuid, status, name, owner_xid)
          values ('e-1', 'PENDING', 'progress', 'run-a')`;
        const step = (stepID: number, ownerXid = "run-a"): StepKey => ({
          workflowID: "e-1",
          stepID,
          ownerXid,
          applicationName: "app",
          startedAt: 1,
          now: 2,
        });
        const set = (stepID: number, value: string, ownerXid?: string) =>
          setWorkflowEvent(sysdb, step(stepID, ownerXid), "DBOS.setEvent", "progress", value, "portable_json");
        const written = async () => ({
          steps: (await sql`select function_id from dbos.operation_outputs where workflow_uuid = 'e-1' order by 1`).map(
            (r) => r.function_id,
          ),
          event: (
            await sql`select value from dbos.workflow_events where workflow_uuid = 'e-1' and key = 'progress'`
          ).map((r) => r.value),
          history: (
            await sql`select function_id, value from dbos.workflow_events_history
              where workflow_uuid = 'e-1' order by 1`
          ).map((r) => `${r.function_id}:${r.value}`),
        });

        expect(await set(0, '"one"')).toBe(true);
        expect(await set(1, '"two"')).toBe(true);
        expect(await written()).toEqual({ steps: [0, 1], event: ['"two"'], history: ['0:"one"', '1:"two"'] });
        // The step is already recorded (a replay, or a run that lost a race): nothing is written.
        expect(await set(1, '"again"')).toBe(false);
        // Another run owns the workflow now: nothing is written.
        expect(await set(2, '"stale"', "run-old")).toBe(false);
        expect(await written()).toEqual({ steps: [0, 1], event: ['"two"'], history: ['0:"one"', '1:"two"'] });
      });
    },
  );

  test("hands over the committed value without reading it back", async () => {
    const { ctx, statements } = loggingContext({ pollIntervalMs: 30_000 });
    let release = () => undefined as void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const wf = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => {
        await gate;
        await setEvent(wctx, "progress", { done: 3 });
      },
      { name: "announcer" },
    );
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, wf, undefined, { workflowID: "announcer-1" });
      const value = getEvent(ctx, "announcer-1", "progress", { timeoutMs: 20_000 });
      value.catch(() => undefined); // settled below; a failure must not go unhandled at shutdown
      // its first try: empty
      await expect.poll(() => statements.filter((s) => s.includes("workflow_events")).length).toBe(1);
      statements.length = 0;
      release();
      expect(await value).toEqual({ done: 3 });
      await handle.getResult();
      expect(statements.filter((s) => s.includes("workflow_events")).length).toBe(1); // the setEvent alone
    } finally {
      await shutdown(ctx);
    }
  });
});

test("getEvent outside a workflow reads an event already set at once: a zero timeout still tries once", async () => {
  const ctx = context({ pollIntervalMs: 30_000 });
  const wf = registerWorkflow(ctx, async (wctx: DBOSContext) => setEvent(wctx, "ready", "yes"), { name: "early" });
  await launch(ctx);
  try {
    await (await runWorkflow(ctx, wf, undefined, { workflowID: "early-1" })).getResult();
    expect(await getEvent(ctx, "early-1", "ready", { timeoutMs: 0 })).toBe("yes");
  } finally {
    await shutdown(ctx);
  }
});
