// enqueueMany against the real server: one statement enqueues many workflows, each with its own
// options; a bad item gets its typed error and nothing of it is written, while the others are
// enqueued and run; the whole call throws (and writes nothing) only for a failure of the call.
import {
  createClient,
  createDBOSContext,
  enqueueMany,
  enqueueWorkflow,
  isDurablyError,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
  type EnqueueManyItem,
} from "@durably/core";
import { migratedTemplate, openSystemDatabase } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { registerQueue } from "../src/index.js";
import { quietLogger } from "./support/queue-test-context.js";

const db = useTestDatabase({ template: migratedTemplate });

function worker() {
  const ctx = createDBOSContext({
    appName: "many-app",
    systemDatabaseUrl: db.url,
    applicationVersion: "v1",
    executorId: "worker",
    logger: quietLogger,
    pollIntervalMs: 100,
  });
  const job = registerWorkflow(
    ctx,
    async (wctx: DBOSContext, label: string) => runAsStep(wctx, async () => `done ${label}`, { name: "record" }),
    { name: "job" },
  );
  const other = registerWorkflow(ctx, async (_w: DBOSContext, x: string) => x, { name: "other" });
  return { ctx, job, other };
}

async function rowsOf(ids: readonly string[]) {
  const sysdb = openSystemDatabase({ url: db.url, poolSize: 1 });
  try {
    const rows = await sysdb.sql<
      {
        workflow_uuid: string;
        status: string;
        name: string;
        queue_name: string;
        priority: number;
        queue_partition_key: string | null;
        deduplication_id: string | null;
        delay_until_epoch_ms: string | null;
        workflow_timeout_ms: string | null;
        application_version: string | null;
        has_input: boolean;
      }[]
    >`select s.workflow_uuid, s.status, s.name, s.queue_name, s.priority, s.queue_partition_key,
             s.deduplication_id, s.delay_until_epoch_ms::text, s.workflow_timeout_ms::text,
             s.application_version, i.workflow_uuid is not null as has_input
        from dbos.workflow_status s left join dbos.workflow_input i using (workflow_uuid)
       where s.workflow_uuid = any(array(select json_array_elements_text(${JSON.stringify(ids)}::text::json)))`;
    const inputs = await sysdb.sql<{ workflow_uuid: string }[]>`select workflow_uuid from dbos.workflow_input
       where workflow_uuid = any(array(select json_array_elements_text(${JSON.stringify(ids)}::text::json)))`;
    return {
      rows: new Map(rows.map((r) => [r.workflow_uuid, r])),
      inputs: new Set(inputs.map((r) => r.workflow_uuid)),
    };
  } finally {
    await sysdb.close();
  }
}

test("a client's batch: every per-item option lands, bad items get typed errors and write nothing, the rest run", async () => {
  const w = worker();
  await registerQueue(w.ctx, "many", { priorityEnabled: true });
  await registerQueue(w.ctx, "many-parts", { partitionQueue: true });
  await launch(w.ctx);
  const client = await createClient({ appName: "many-app", systemDatabaseUrl: db.url, logger: quietLogger });
  try {
    // Held before the batch: a deduplication ID, and a workflow ID of another workflow.
    await enqueueWorkflow(client, "job", "held", {
      queue: "many",
      workflowID: "holder",
      deduplicationID: "d1",
      delayMs: 60_000,
    });
    await enqueueWorkflow(client, "other", "x", { queue: "many", workflowID: "taken" });
    const unwritable = { callback: () => 1 }; // a function: no format keeps it
    const items: EnqueueManyItem[] = [
      /* 0 */ {
        workflow: "job",
        input: "a",
        options: { queue: "many", workflowID: "m-a", priority: 3, timeoutMs: 60_000 },
      },
      /* 1 */ { workflow: "job", input: "b", options: { queue: "many-parts", workflowID: "m-b", partitionKey: "p1" } },
      /* 2 */ { workflow: "job", input: "c", options: { queue: "many", workflowID: "m-c", delayMs: 60_000 } },
      /* 3 */ { workflow: "job", input: "d", options: { queue: "many", workflowID: "m-d", deduplicationID: "d2" } },
      /* 4 */ { workflow: "job", input: "e", options: { queue: "many", workflowID: "m-e", priority: -1 } },
      /* 5 */ { workflow: "job", input: "f", options: { workflowID: "m-f" } as never },
      /* 6 */ { workflow: "job", input: unwritable, options: { queue: "many", workflowID: "m-g" } },
      /* 7 */ { workflow: "job", input: "h", options: { queue: "many", workflowID: "m-h", partitionKey: "p1" } },
      /* 8 */ { workflow: "job", input: "i", options: { queue: "many-parts", workflowID: "m-i" } },
      /* 9 */ { workflow: "job", input: "j", options: { queue: "many", workflowID: "m-j", deduplicationID: "d1" } },
      /* 10 */ {
        workflow: "job",
        input: "k",
        options: { queue: "many", workflowID: "m-k", deduplicationID: "d1", deduplicationPolicy: "return-existing" },
      },
      /* 11 */ { workflow: "job", input: "l", options: { queue: "many", workflowID: "taken" } },
      /* 12 */ { workflow: "job", input: "a again", options: { queue: "many", workflowID: "m-a" } },
      /* 13 */ { workflow: "job", input: "n", options: { queue: "many", workflowID: "m-n", deduplicationID: "d2" } },
      /* 14 */ { workflow: w.job, input: "o", options: { queue: "many", workflowID: "m-o", applicationVersion: "v1" } },
      /* 15 */ { workflow: "job", input: "p", options: { queue: "many", workflowID: "m-p", bogus: 1 } as never },
    ];
    const results = await enqueueMany(client, items);
    expect(results).toHaveLength(items.length);
    const code = (i: number) => {
      const r = results[i]!;
      return r.ok ? "ok" : r.error.code;
    };
    expect(items.map((_, i) => code(i))).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      "INVALID_ARGUMENT", // priority below 0
      "INVALID_ARGUMENT", // no queue
      "SERIALIZATION",
      "INVALID_ARGUMENT", // partition key on an unpartitioned queue
      "INVALID_ARGUMENT", // no partition key on a partitioned queue
      "QUEUE_DEDUPLICATED",
      "ok", // return-existing: the holder's handle
      "WORKFLOW_CONFLICT",
      "ok", // the same workflow ID twice: one run, one handle
      "QUEUE_DEDUPLICATED", // held by item 3 of this very batch
      "ok",
      "INVALID_ARGUMENT", // unknown option
    ]);
    const r10 = results[10]!;
    expect(r10.ok && r10.workflowID).toBe("holder");
    const r12 = results[12]!;
    expect(r12.ok && r12.workflowID).toBe("m-a");
    for (const i of [4, 7, 8, 15]) {
      const r = results[i]!;
      expect(!r.ok && r.error.message).toMatch(/priority|queue|partition|bogus/i);
    }

    const ids = items.map((it) => it.options.workflowID!).concat(["holder"]);
    const { rows, inputs } = await rowsOf(ids);
    // Nothing of a refused item is written: neither its status row nor its input row.
    for (const id of ["m-e", "m-f", "m-g", "m-h", "m-i", "m-j", "m-k", "m-n", "m-p"]) {
      expect(rows.has(id), id).toBe(false);
      expect(inputs.has(id), id).toBe(false);
    }
    expect(rows.get("taken")?.name).toBe("other");
    const a = rows.get("m-a")!;
    expect([a.priority, a.workflow_timeout_ms, a.queue_name, a.has_input]).toEqual([3, "60000", "many", true]);
    expect(rows.get("m-b")?.queue_partition_key).toBe("p1");
    expect(rows.get("m-c")?.status).toBe("DELAYED");
    expect(Number(rows.get("m-c")?.delay_until_epoch_ms)).toBeGreaterThan(Date.now() + 30_000);
    // The worker may already have run m-d, and a finished workflow's deduplication ID is cleared (as DBOS does);
    // item 13's QUEUE_DEDUPLICATED above shows the ID was held.
    const d = rows.get("m-d");
    expect(d?.status === "SUCCESS" ? [d.status, d.deduplication_id] : d?.deduplication_id).toEqual(
      d?.status === "SUCCESS" ? ["SUCCESS", null] : "d2",
    );
    expect(rows.get("m-o")?.application_version).toBe("v1");

    // The enqueued ones run on the worker; the delayed one waits.
    for (const i of [0, 1, 3, 14]) {
      const r = results[i]!;
      if (!r.ok) throw r.error;
      expect(await r.handle.getResult({ timeoutMs: 30_000 })).toBe(`done ${items[i]!.input as string}`);
    }
    const c = results[2]!;
    expect(c.ok && (await c.handle.getStatus())?.status).toBe("DELAYED");
  } finally {
    await shutdown(client);
    await shutdown(w.ctx);
  }
});

test("a failure of the whole call throws and writes nothing; an empty batch is fine", async () => {
  const w = worker();
  // From inside a workflow: refused, the batch would not be one step.
  const inside = registerWorkflow(
    w.ctx,
    async (wctx: DBOSContext) =>
      enqueueMany(wctx, [{ workflow: "job", input: "x", options: { queue: "many" } }]).then(
        () => "enqueued",
        (e: unknown) => (isDurablyError(e, "INVALID_ARGUMENT") ? "refused" : String(e)),
      ),
    { name: "inside" },
  );
  await launch(w.ctx);
  try {
    expect(await enqueueMany(w.ctx, [])).toEqual([]);
    const notArray = await enqueueMany(w.ctx, "x" as never).catch((e: unknown) => e);
    expect(isDurablyError(notArray, "INVALID_ARGUMENT")).toBe(true);
    const tooMany = Array.from({ length: 10_001 }, (_, i) => ({
      workflow: "job",
      input: "x",
      options: { queue: "many", workflowID: `too-${i}` },
    }));
    const refused = await enqueueMany(w.ctx, tooMany).catch((e: unknown) => e);
    expect(isDurablyError(refused, "INVALID_ARGUMENT")).toBe(true);
    expect((await rowsOf(["too-0", "too-10000"])).rows.size).toBe(0);
    const handle = await runWorkflow(w.ctx, inside, undefined);
    expect(await handle.getResult({ timeoutMs: 30_000 })).toBe("refused");
  } finally {
    await shutdown(w.ctx);
  }
});

test("a thousand items in one call: one statement writes them all, and they all run", async () => {
  const w = worker();
  await registerQueue(w.ctx, "bulk", { workerConcurrency: 50 });
  await launch(w.ctx);
  const client = await createClient({ appName: "many-app", systemDatabaseUrl: db.url, logger: quietLogger });
  try {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      workflow: "job",
      input: `n${i}`,
      options: { queue: "bulk", workflowID: `bulk-${i}` },
    }));
    const results = await enqueueMany(client, items);
    expect(results.every((r) => r.ok)).toBe(true);
    const last = results[999]!;
    expect(last.ok && (await last.handle.getResult({ timeoutMs: 60_000 }))).toBe("done n999");
    const { rows } = await rowsOf(items.map((i) => i.options.workflowID));
    expect(rows.size).toBe(1000);
  } finally {
    await shutdown(client);
    await shutdown(w.ctx);
  }
});
