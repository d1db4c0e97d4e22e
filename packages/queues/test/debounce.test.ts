// Debounced enqueues: a burst collapses into one run with the latest input, stored in DBOS's columns,
// capped by maxWaitMs; bad options are refused; and producers in several processes (one killed
// mid-burst) still get exactly one run per burst.
import { spawn, type ChildProcess } from "node:child_process";
import { DBOSClient, DebouncerClient } from "@dbos-inc/dbos-sdk";
import { fileURLToPath } from "node:url";
import {
  createDBOSContext,
  getWorkflowID,
  isDurablyError,
  launch,
  registerWorkflow,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { migratedTemplate, openSystemDatabase } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { registerQueue } from "../src/index.js";
import { quietLogger } from "./support/queue-test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
const producerScript = fileURLToPath(new URL("./support/debounce-producer.mjs", import.meta.url));

describe("debounce", () => {
  let ctx: DBOSContext;
  let collectWf: ReturnType<typeof registerWorkflow<string, string>>;
  /** Each run of collect: its workflow ID and input. */
  const runs: Array<{ id: string; input: string }> = [];

  beforeAll(async () => {
    ctx = createDBOSContext({
      appName: "debounce-test",
      systemDatabaseUrl: db.url,
      applicationVersion: "v1",
      logger: quietLogger,
      pollIntervalMs: 100,
    });
    collectWf = registerWorkflow(ctx, async function collect(wctx: DBOSContext, input: string) {
      runs.push({ id: getWorkflowID(wctx), input });
      return input;
    });
    await registerQueue(ctx, "bursts", { pollingIntervalSec: 0.1 });
    await launch(ctx);
  });
  afterAll(() => shutdown(ctx));

  async function row(id: string) {
    const sysdb = openSystemDatabase({ url: db.url, poolSize: 1 });
    try {
      const [r] = await sysdb.sql`select status, is_debounced, deduplication_id, delay_until_epoch_ms::float8 as until,
          debounce_deadline_epoch_ms::float8 as deadline, created_at::float8 as created
          from dbos.workflow_status where workflow_uuid = ${id}`;
      return r!;
    } finally {
      await sysdb.close();
    }
  }

  test("enqueues within the period collapse into one run with the latest input, in DBOS's columns", async () => {
    const debounce = { key: "k1", periodMs: 1_500 };
    const handles = [];
    for (const input of ["a", "b", "c"])
      handles.push(await runWorkflow(ctx, collectWf, input, { queue: "bursts", debounce }));
    const id = handles[0]!.workflowID;
    expect(handles.map((h) => h.workflowID)).toEqual([id, id, id]);
    const waiting = await row(id);
    // What DBOS 5.3.0's Debouncer writes: DELAYED, is_debounced, the key as `<class>.<name>-<key>`.
    expect(waiting).toMatchObject({ status: "DELAYED", is_debounced: true, deduplication_id: ".collect-k1" });
    expect(waiting.deadline).toBeNull();
    expect(await handles[2]!.getResult()).toBe("c");
    expect(runs.filter((r) => r.id === id)).toEqual([{ id, input: "c" }]);
    // Promotion frees the key: the next enqueue starts a new burst.
    expect((await row(id)).deduplication_id).toBeNull();
    const next = await runWorkflow(ctx, collectWf, "d", { queue: "bursts", debounce: { key: "k1", periodMs: 50 } });
    expect(next.workflowID).not.toBe(id);
    expect(await next.getResult()).toBe("d");
  });

  test("maxWaitMs caps how far a burst's start moves out", async () => {
    const debounce = { key: "k2", periodMs: 600_000, maxWaitMs: 800 };
    const first = await runWorkflow(ctx, collectWf, "first", { queue: "bursts", debounce });
    const second = await runWorkflow(ctx, collectWf, "second", { queue: "bursts", debounce });
    expect(second.workflowID).toBe(first.workflowID);
    const waiting = await row(first.workflowID);
    expect(waiting.deadline).toBe(waiting.created + 800);
    expect(waiting.until).toBe(waiting.deadline);
    expect(await second.getResult()).toBe("second");
  });

  test("keys, workflows and queues debounce separately", async () => {
    const a = await runWorkflow(ctx, collectWf, "x", { queue: "bursts", debounce: { key: "k3", periodMs: 100 } });
    const b = await runWorkflow(ctx, collectWf, "y", { queue: "bursts", debounce: { key: "k4", periodMs: 100 } });
    expect(a.workflowID).not.toBe(b.workflowID);
    expect([await a.getResult(), await b.getResult()]).toEqual(["x", "y"]);
  });

  test("DBOS 5.3.0's DebouncerClient extends a durably burst (and sees it as its own)", async () => {
    const ours = await runWorkflow(ctx, collectWf, "durably", {
      queue: "bursts",
      debounce: { key: "k5", periodMs: 600_000 },
    });
    const client = await DBOSClient.create({ systemDatabaseUrl: db.url, applicationName: "debounce-test" });
    try {
      const debouncer = new DebouncerClient(client, {
        workflowName: "collect",
        startWorkflowParams: { queueName: "bursts" },
      });
      const theirs = await debouncer.debounce("k5", 200, "dbos");
      expect(theirs.workflowID).toBe(ours.workflowID);
    } finally {
      await client.destroy();
    }
    expect(await ours.getResult()).toBe("dbos");
  });

  test.each([
    [{ debounce: { key: "k", periodMs: -1 } }, /debounce\.periodMs must be an integer > 0/],
    [{ debounce: { key: "k", periodMs: 0 } }, /debounce\.periodMs must be an integer > 0/],
    [{ debounce: { key: "", periodMs: 10 } }, /debounce\.key must be a non-empty string/],
    [{ debounce: { periodMs: 10 } }, /the option debounce\.key is required/],
    [{ debounce: { key: "k", periodMs: 10, maxWaitMs: 0 } }, /debounce\.maxWaitMs must be an integer > 0/],
    [
      { debounce: { key: "k", periodMs: 10, maxWait: 5 } },
      /unknown option debounce\.maxWait \(did you mean maxWaitMs\?\)/,
    ],
    [{ debounce: { key: "k", periodMs: 10 }, delayMs: 5 }, /delayMs cannot be combined with debounce/],
    [
      { debounce: { key: "k", periodMs: 10 }, deduplicationID: "d" },
      /deduplicationID cannot be combined with debounce/,
    ],
  ])("bad options are an INVALID_ARGUMENT naming the option: %j", async (options, message) => {
    const error = await runWorkflow(ctx, collectWf, "bad", { queue: "bursts", ...(options as object) }).catch((e) => e);
    expect(isDurablyError(error, "INVALID_ARGUMENT")).toBe(true);
    expect(error.message).toMatch(message);
  });

  test("debounce needs a queue that exists", async () => {
    const noQueue = await runWorkflow(ctx, collectWf, "q", { debounce: { key: "k", periodMs: 10 } }).catch((e) => e);
    expect(isDurablyError(noQueue, "INVALID_ARGUMENT")).toBe(true);
    expect(noQueue.message).toMatch(/debounce only applies to a workflow enqueued on a queue/);
    const missing = await runWorkflow(ctx, collectWf, "q", {
      queue: "nope",
      debounce: { key: "k", periodMs: 10 },
    }).catch((e) => e);
    expect(isDurablyError(missing, "INVALID_ARGUMENT")).toBe(true);
    expect(missing.message).toMatch(/names queue nope, which does not exist/);
    expect(missing.details).toEqual({ option: "queue" });
  });

  test("four producer processes, one killed mid-burst, make one run with the last input", async () => {
    const periodMs = 4_000;
    const producers: ChildProcess[] = [];
    const ids: string[] = [];
    const exits: Promise<unknown>[] = [];
    for (let p = 0; p < 4; p++) {
      const child = spawn(process.execPath, [producerScript, db.url, "multi", "15", `p${p}`, String(periodMs)], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stderr!.on("data", (d) => process.stderr.write(`[producer-${p}] ${d}`));
      let printed = 0;
      child.stdout!.on("data", (d: Buffer) => {
        for (const line of String(d).split("\n")) {
          const m = /^id (.+)$/.exec(line);
          if (m === null) continue;
          ids.push(m[1]!);
          // The first producer dies by SIGKILL after three enqueues, in the middle of the burst.
          if (p === 0 && ++printed === 3) child.kill("SIGKILL");
        }
      });
      exits.push(new Promise((resolve) => child.on("exit", (code, signal) => resolve(signal ?? code))));
      producers.push(child);
    }
    const outcomes = await Promise.all(exits);
    expect(outcomes[0]).toBe("SIGKILL");
    expect(outcomes.slice(1)).toEqual([0, 0, 0]);
    const last = await runWorkflow(ctx, collectWf, "last", { queue: "bursts", debounce: { key: "multi", periodMs } });
    // Premise: the burst was not promoted while the producers ran (else a second burst is right).
    expect((await row(last.workflowID)).status).toBe("DELAYED");
    expect(ids.length).toBeGreaterThanOrEqual(3 + 15 * 3);
    expect(new Set(ids)).toEqual(new Set([last.workflowID]));
    expect(await last.getResult()).toBe("last");
    const sysdb = openSystemDatabase({ url: db.url, poolSize: 1 });
    try {
      const rows = await sysdb.sql`select workflow_uuid from dbos.workflow_status where name = 'collect'
          and created_at >= (select created_at from dbos.workflow_status where workflow_uuid = ${last.workflowID})`;
      expect(rows.map((r) => r.workflow_uuid)).toEqual([last.workflowID]);
    } finally {
      await sysdb.close();
    }
    expect(runs.filter((r) => r.id === last.workflowID)).toEqual([{ id: last.workflowID, input: "last" }]);
  });
});
