// Messages, events and streams against a real Postgres: exactly-once delivery, durable
// timeouts, wake-ups after a killed listener, cross-process waits, and DBOS client interop.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DBOSClient } from "@dbos-inc/dbos-sdk";
import {
  getWorkflowSteps,
  isDurablyError,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runWorkflow,
  shutdown,
  type DBOSConfig,
  type DBOSContext,
} from "@durably/core";
import { useTestDatabase } from "@durably/testing/vitest";
import { describe, expect, test } from "vitest";
import { closeStream, getEvent, readStream, recv, send, setEvent, writeStream } from "../src/index.js";
import { migratedTemplate, type SystemDatabase } from "@durably/sysdb";
import { testContext, withSysdb } from "./support/notifications-test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
const context = (config: Partial<DBOSConfig> = {}) => testContext(db.url, "notify-test", "n-v1", config);
const rawSql = <T>(fn: (sql: SystemDatabase["sql"]) => Promise<T>): Promise<T> =>
  withSysdb(db.url, (sysdb) => fn(sysdb.sql));

describe("send and recv", () => {
  test("a message is received once, in order per topic; replay returns the recorded message", async () => {
    const first = context();
    const define = (ctx: DBOSContext, hang: boolean) =>
      registerWorkflow(
        ctx,
        async (wctx: DBOSContext) => {
          const a = await recv<string>(wctx, { topic: "t", timeoutMs: 10_000 });
          if (hang) await new Promise(() => undefined); // "crash" after the first recv was recorded
          const b = await recv<string>(wctx, { topic: "t", timeoutMs: 10_000 });
          return [a, b];
        },
        { name: "twoMessages" },
      );
    const wf = define(first, true);
    await launch(first);
    await runWorkflow(first, wf, undefined, { workflowID: "inbox-1" });
    await send(first, "inbox-1", "one", { topic: "t" });
    await send(first, "inbox-1", "two", { topic: "t" });
    await send(first, "inbox-1", "other topic", { topic: "u" });
    await expect
      .poll(() => rawSql((sql) => sql`select count(*)::int as n from dbos.notifications where consumed`))
      .toEqual([{ n: 1 }]);
    await shutdown(first, { timeoutMs: 0 });

    const second = context();
    define(second, false);
    await launch(second);
    try {
      expect(await (await retrieveWorkflow(second, "inbox-1")).getResult({ timeoutMs: 10_000 })).toEqual([
        "one",
        "two",
      ]);
      // Each recv holds two step IDs (recv, then its deadline as DBOS.sleep when it had to wait).
      const steps = await getWorkflowSteps(second, "inbox-1");
      expect(steps.filter((s) => s.name === "DBOS.recv").map((s) => s.stepID)).toEqual([0, 2]);
      expect(
        await rawSql(
          (sql) => sql`select message, consumed from dbos.notifications order by created_at_epoch_ms, message`,
        ),
      ).toEqual([
        { message: expect.stringContaining("one"), consumed: true },
        { message: expect.stringContaining("two"), consumed: true },
        { message: expect.stringContaining("other topic"), consumed: false },
      ]);
    } finally {
      await shutdown(second);
    }
  });

  test("recv times out with TIMEOUT, durably: a restart waits only for what remains", async () => {
    const first = context();
    const define = (ctx: DBOSContext) =>
      registerWorkflow(ctx, async (wctx: DBOSContext) => recv(wctx, { topic: "never", timeoutMs: 1500 }), {
        name: "patient",
      });
    const wf = define(first);
    await launch(first);
    const started = Date.now();
    await runWorkflow(first, wf, undefined, { workflowID: "patient-1" });
    // the deadline is recorded
    await expect.poll(async () => (await getWorkflowSteps(first, "patient-1")).length).toBe(1);
    await shutdown(first, { timeoutMs: 0 });
    const second = context();
    define(second);
    await launch(second);
    try {
      const error = await (await retrieveWorkflow(second, "patient-1"))
        .getResult({ timeoutMs: 10_000 })
        .catch((e: unknown) => e);
      expect(isDurablyError(error, "TIMEOUT")).toBe(true);
      expect(Date.now() - started).toBeLessThan(1500 + 1200);
      expect((await getWorkflowSteps(second, "patient-1")).map((s) => s.name)).toEqual(["DBOS.recv", "DBOS.sleep"]);
      // Bad timeouts are typed errors.
      await expect(recv(second, { timeoutMs: 1 })).rejects.toSatisfy((e) => isDurablyError(e, "INVALID_ARGUMENT"));
    } finally {
      await shutdown(second);
    }
  });

  test(
    "sending to a workflow that does not exist is " + "NONEXISTENT_WORKFLOW; idempotency keys dedupe retries",
    async () => {
      const ctx = context();
      const wf = registerWorkflow(
        ctx,
        async (wctx: DBOSContext) => [
          await recv(wctx, { timeoutMs: 5000 }),
          await recv(wctx, { timeoutMs: 300 }).catch(() => "none"),
        ],
        {
          name: "once",
        },
      );
      await launch(ctx);
      try {
        await expect(send(ctx, "no-such-workflow", "hi")).rejects.toSatisfy((e) =>
          isDurablyError(e, "NONEXISTENT_WORKFLOW"),
        );
        const handle = await runWorkflow(ctx, wf, undefined);
        await send(ctx, handle.workflowID, "hello", { idempotencyKey: "k1" });
        await send(ctx, handle.workflowID, "hello", { idempotencyKey: "k1" });
        expect(await handle.getResult()).toEqual(["hello", "none"]);
      } finally {
        await shutdown(ctx);
      }
    },
  );

  test("many concurrent receivers on different topics each get their own message", async () => {
    const ctx = context();
    const wf = registerWorkflow(
      ctx,
      async (wctx: DBOSContext, topic: string) => recv<string>(wctx, { topic, timeoutMs: 15_000 }),
      { name: "perTopic" },
    );
    await launch(ctx);
    try {
      const handles = await Promise.all(
        Array.from({ length: 30 }, (_, i) => runWorkflow(ctx, wf, `topic-${i}`, { workflowID: `receiver-${i}` })),
      );
      for (let i = 29; i >= 0; i--) await send(ctx, `receiver-${i}`, `message-${i}`, { topic: `topic-${i}` });
      expect(await Promise.all(handles.map((h) => h.getResult()))).toEqual(
        Array.from({ length: 30 }, (_, i) => `message-${i}`),
      );
    } finally {
      await shutdown(ctx);
    }
  });

  test("delivery still works after the listener connection is killed", async () => {
    const ctx = context({ pollIntervalMs: 30_000 }); // no polling fallback within the test: the reconnect must re-check
    const wf = registerWorkflow(ctx, async (wctx: DBOSContext) => recv<string>(wctx, { timeoutMs: 20_000 }), {
      name: "afterKill",
    });
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, wf, undefined);
      await expect.poll(async () => (await getWorkflowSteps(ctx, handle.workflowID)).length).toBe(1);
      const killed = await rawSql(
        (sql) => sql`
        select pid, pg_terminate_backend(pid) as terminated from pg_stat_activity
        where application_name = 'durably-notify-test-listen' and datname = current_database()`,
      );
      // Premise: the one listener session was really terminated.
      expect(killed).toEqual([{ pid: expect.any(Number), terminated: true }]);
      // Sent from another connection while the listener may be down: the wake-up can be lost.
      await rawSql(
        (sql) => sql`insert into dbos.notifications (destination_uuid, topic, message, serialization)
            values (${handle.workflowID}, '__null__topic__', '"after"', 'portable_json')`,
      );
      expect(await handle.getResult({ timeoutMs: 15_000 })).toBe("after");
      // And the listener that woke it is a new session, not the old one surviving.
      const listeners = await rawSql(
        (sql) => sql`
        select pid from pg_stat_activity
        where application_name = 'durably-notify-test-listen' and datname = current_database()`,
      );
      expect(listeners.map((l) => l.pid)).not.toContain(killed[0]!.pid);
    } finally {
      await shutdown(ctx);
    }
  });
});

describe("events", () => {
  test("getEvent waits until a workflow in another process sets the event", async () => {
    const ctx = context();
    await launch(ctx);
    try {
      const worker = spawn(process.execPath, [
        fileURLToPath(new URL("./support/notifications-worker.mjs", import.meta.url)),
        db.url,
        "events",
        "announcer-1",
      ]);
      const exited = new Promise((resolve) => worker.on("exit", resolve));
      expect(await getEvent(ctx, "announcer-1", "ready", { timeoutMs: 20_000 })).toEqual({ at: "worker" });
      expect(await exited).toBe(0);
      await expect(getEvent(ctx, "announcer-1", "missing", { timeoutMs: 200 })).rejects.toSatisfy((e) =>
        isDurablyError(e, "TIMEOUT"),
      );
    } finally {
      await shutdown(ctx);
    }
  });

  test("setEvent keeps the latest value and its history; getEvent inside a workflow is checkpointed", async () => {
    const ctx = context();
    const setter = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => {
        await setEvent(wctx, "stage", 1);
        await setEvent(wctx, "stage", 2);
      },
      { name: "setter" },
    );
    const reader = registerWorkflow(
      ctx,
      async (wctx: DBOSContext, id: string) => getEvent(wctx, id, "stage", { timeoutMs: 5000 }),
      { name: "reader" },
    );
    await launch(ctx);
    try {
      await (await runWorkflow(ctx, setter, undefined, { workflowID: "setter-1" })).getResult();
      expect(await getEvent(ctx, "setter-1", "stage")).toBe(2);
      expect(await (await runWorkflow(ctx, reader, "setter-1", { workflowID: "reader-1" })).getResult()).toBe(2);
      expect((await getWorkflowSteps(ctx, "reader-1")).map((s) => [s.name, s.output])).toEqual([["DBOS.getEvent", 2]]);
      const history = await rawSql(
        (sql) =>
          sql`select function_id, value from dbos.workflow_events_history where workflow_uuid = 'setter-1' order by 1`,
      );
      expect(history.map((h) => h.function_id)).toEqual([0, 1]);
    } finally {
      await shutdown(ctx);
    }
  });
});

describe("streams", () => {
  test("10,000 values are read in order while they are written, and the reader ends at close", async () => {
    const ctx = context();
    const writer = registerWorkflow(
      ctx,
      async (wctx: DBOSContext, n: number) => {
        for (let i = 0; i < n; i++) await writeStream(wctx, "numbers", i);
        await closeStream(wctx, "numbers");
        await expect(writeStream(wctx, "numbers", -1)).rejects.toSatisfy((e) => isDurablyError(e, "INVALID_ARGUMENT"));
        return "written";
      },
      { name: "writer" },
    );
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, writer, 10_000, { workflowID: "stream-1" });
      const seen: number[] = [];
      for await (const { offset, value } of readStream<number>(ctx, "stream-1", "numbers")) {
        expect(offset).toBe(value);
        seen.push(value);
      }
      expect(seen).toHaveLength(10_000);
      expect(seen.every((v, i) => v === i)).toBe(true);
      expect(await handle.getResult()).toBe("written");
      // Resumable from an offset, after the fact.
      const tail: number[] = [];
      for await (const { value } of readStream<number>(ctx, "stream-1", "numbers", { fromOffset: 9_998 }))
        tail.push(value);
      expect(tail).toEqual([9_998, 9_999]);
    } finally {
      await shutdown(ctx);
    }
  }, 300_000); // a hang guard: 10,000 sequential steps take about a minute on CI's 2 cores, two on a slow host

  test("a reader with timeoutMs gets what was written, then TIMEOUT when no value comes in time", async () => {
    const ctx = context();
    const writer = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => {
        await writeStream(wctx, "ticks", 1);
        await writeStream(wctx, "ticks", 2);
        await recv(wctx, { topic: "go", timeoutMs: 60_000 }); // idles until told, writing nothing
        await writeStream(wctx, "ticks", 3);
        await closeStream(wctx, "ticks");
        return "closed";
      },
      { name: "idle-writer" },
    );
    await launch(ctx);
    try {
      const handle = await runWorkflow(ctx, writer, undefined, { workflowID: "stream-idle" });
      const seen: number[] = [];
      const startedAt = performance.now();
      const failure = await (async () => {
        for await (const { value } of readStream<number>(ctx, "stream-idle", "ticks", { timeoutMs: 300 }))
          seen.push(value);
      })().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isDurablyError(failure, "TIMEOUT"), String(failure)).toBe(true);
      expect((failure as Error).message).toContain("resume with fromOffset: 2");
      expect(seen).toEqual([1, 2]);
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(300);
      // The writer was not affected: told to go on, it finishes, and a reader resumes where the first stopped.
      await send(ctx, "stream-idle", "now", { topic: "go" });
      const rest: number[] = [];
      for await (const { value } of readStream<number>(ctx, "stream-idle", "ticks", {
        fromOffset: 2,
        timeoutMs: 30_000,
      }))
        rest.push(value);
      expect(rest).toEqual([3]);
      expect(await handle.getResult()).toBe("closed");
    } finally {
      await shutdown(ctx);
    }
  });
});

describe("exactly once across a crash, and DBOS clients", () => {
  test("a receiving worker killed with SIGKILL loses and duplicates no message", async () => {
    const log = join(mkdtempSync(join(tmpdir(), "durably-inbox-")), "received.log");
    const worker = fileURLToPath(new URL("./support/notifications-worker.mjs", import.meta.url));
    const start = () => {
      const child = spawn(process.execPath, [worker, db.url, "inbox", "inbox-crash", log]);
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal })),
      );
      return { child, out: () => out, exited };
    };
    const ctx = context();
    await launch(ctx);
    try {
      const first = start();
      await expect.poll(() => first.out().includes("waiting"), { timeout: 20_000 }).toBe(true);
      for (let i = 0; i < 3; i++) await send(ctx, "inbox-crash", i, { topic: "inbox" });
      await expect
        .poll(() => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").length : 0), { timeout: 10_000 })
        .toBeGreaterThanOrEqual(2);
      first.child.kill("SIGKILL");
      // Premise: the receiver died of the SIGKILL, before it had received all five.
      expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
      for (let i = 3; i < 5; i++) await send(ctx, "inbox-crash", i, { topic: "inbox" });
      const second = start();
      expect(await second.exited).toEqual({ code: 0, signal: null });
      expect(JSON.parse(second.out().trim().split("\n").pop()!)).toEqual([0, 1, 2, 3, 4]);
      expect(
        await rawSql(
          (sql) =>
            sql`select count(*)::int as n from dbos.notifications where destination_uuid = 'inbox-crash' and consumed`,
        ),
      ).toEqual([{ n: 5 }]);
    } finally {
      await shutdown(ctx);
    }
  }, 60_000);

  test("DBOSClient.send reaches a durably recv, and DBOSClient.getEvent reads a durably event", async () => {
    const ctx = context();
    const wf = registerWorkflow(
      ctx,
      async (wctx: DBOSContext) => {
        const message = await recv<{ n: number }>(wctx, { topic: "from-dbos", timeoutMs: 15_000 });
        await setEvent(wctx, "answer", { doubled: message.n * 2 });
        return message;
      },
      { name: "interopInbox" },
    );
    await launch(ctx);
    const client = await DBOSClient.create({ systemDatabaseUrl: db.url });
    try {
      const handle = await runWorkflow(ctx, wf, undefined, { workflowID: "interop-inbox" });
      await client.send("interop-inbox", { n: 21 }, "from-dbos");
      expect(await handle.getResult()).toEqual({ n: 21 });
      expect(await client.getEvent("interop-inbox", "answer", 5)).toEqual({ doubled: 42 });
    } finally {
      await client.destroy();
      await shutdown(ctx);
    }
  }, 60_000);
});
