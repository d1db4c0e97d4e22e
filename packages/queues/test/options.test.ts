// Queue options refuse unknown keys (DBOS's spellings included) and bad numbers, and an enqueue
// whose partition key does not fit its queue is refused, from a worker, a client and a fork.
import { failureOf } from "@durably/testing";
import {
  createClient,
  createDBOSContext,
  enqueueWorkflow,
  forkWorkflow,
  isDurablyError,
  launch,
  listWorkflows,
  registerWorkflow,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deleteQueue, listenQueues, registerQueue, retrieveQueue } from "../src/index.js";
import { migratedTemplate, openSystemDatabase } from "@durably/sysdb";
import { quietLogger } from "./support/queue-test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
// Lets a test pass what the types forbid, so it reaches the runtime checks.
const any = (value: unknown) => value as any;

/** `CODE: message` of what `fn` threw or rejected with. */
const failure = (fn: () => unknown) => failureOf(fn, isDurablyError, "DurablyError");

let ctx: DBOSContext;
let job: ReturnType<typeof registerWorkflow<string, string>>;

beforeAll(async () => {
  ctx = createDBOSContext({
    appName: "queue-options",
    systemDatabaseUrl: db.url,
    applicationVersion: "v1",
    logger: quietLogger,
    pollIntervalMs: 100,
  });
  job = registerWorkflow(ctx, async (_ctx: DBOSContext, input: string) => input, { name: "job" });
  listenQueues(ctx, []); // nothing runs: the rows are what the tests look at
  await registerQueue(ctx, "parts", { partitionQueue: true });
  await registerQueue(ctx, "plain", {});
  await launch(ctx);
});
afterAll(() => shutdown(ctx));

test("listenQueues takes an array of queues or non-empty queue names, each checked", async () => {
  const fresh = createDBOSContext({ appName: "listen-args", systemDatabaseUrl: db.url, logger: quietLogger });
  expect(await failure(() => listenQueues(fresh, any("emails")))).toBe(
    'INVALID_ARGUMENT: listenQueues: queues must be an array, got "emails".',
  );
  expect(await failure(() => listenQueues(fresh, any(["emails", 5])))).toBe(
    "INVALID_ARGUMENT: listenQueues: queues[1] must be a non-empty name or an object with one " +
      "(e.g. the value registerQueue returned), got 5.",
  );
});

test("retrieveQueue and deleteQueue need a queue name", async () => {
  expect(await failure(() => retrieveQueue(ctx, any(5)))).toBe(
    "INVALID_ARGUMENT: retrieveQueue: name must be a string, got 5.",
  );
  expect(await failure(() => deleteQueue(ctx, ""))).toBe(
    'INVALID_ARGUMENT: deleteQueue: name must be a non-empty string, got "".',
  );
});

describe("registerQueue", () => {
  test(
    "DBOS's rateLimit.limitPerPeriod is refused, naming it " + "and the accepted keys (it used to apply no limit)",
    async () => {
      expect(
        await failure(() => registerQueue(ctx, "q", any({ rateLimit: { limitPerPeriod: 5, periodSec: 1 } }))),
      ).toBe(
        'INVALID_ARGUMENT: registerQueue("q"): unknown option rateLimit.limitPerPeriod (did you mean limit?); ' +
          "the accepted keys of rateLimit are limit, periodSec.",
      );
      expect(await failure(() => registerQueue(ctx, "q", any({ concurency: 2 })))).toMatch(
        new RegExp(
          /unknown option concurency \(did you mean concurrency\?\); /.source +
            /the accepted options are concurrency, workerConcurrency, rateLimit/.source,
        ),
      );
    },
  );

  test("each setting is checked for its type and range", async () => {
    expect(await failure(() => registerQueue(ctx, "q", any({ priorityEnabled: "yes" })))).toMatch(
      /priorityEnabled must be true or false, got "yes"/,
    );
    expect(await failure(() => registerQueue(ctx, "q", any({ partitionQueue: 1 })))).toMatch(
      /partitionQueue must be true or false/,
    );
    expect(await failure(() => registerQueue(ctx, "q", { rateLimit: { limit: 2.5, periodSec: 1 } }))).toMatch(
      /rateLimit\.limit must be an integer from 1 to 2147483647/,
    );
    expect(await failure(() => registerQueue(ctx, "q", any({ rateLimit: { periodSec: 1 } })))).toMatch(
      /rateLimit\.limit is required/,
    );
    expect(await failure(() => registerQueue(ctx, "q", { pollingIntervalSec: Infinity }))).toMatch(
      /pollingIntervalSec must be a finite number > 0/,
    );
  });
});

describe("partition keys, checked in the enqueue's own statement", () => {
  test(
    "a worker: no partitionKey on a partitioned queue, or one on a plain queue, is refused and nothing is " +
      "enqueued",
    async () => {
      expect(await failure(() => runWorkflow(ctx, job, "a", { queue: "parts", workflowID: "qo-no-key" }))).toMatch(
        /^INVALID_ARGUMENT: Queue parts is partitioned \(partitionQueue: true\): an enqueue on it needs a partitionKey/,
      );
      expect(
        await failure(() =>
          runWorkflow(ctx, job, "a", { queue: "plain", partitionKey: "k", workflowID: "qo-stray-key" }),
        ),
      ).toMatch(/^INVALID_ARGUMENT: Queue plain is not partitioned: drop partitionKey/);
      expect(await listWorkflows(ctx, { workflowIDs: ["qo-no-key", "qo-stray-key"] })).toEqual([]);
      await runWorkflow(ctx, job, "a", { queue: "parts", partitionKey: "k", workflowID: "qo-keyed" });
      await runWorkflow(ctx, job, "a", { queue: "plain", workflowID: "qo-plain" });
      const rows = await listWorkflows(ctx, { workflowIDs: ["qo-keyed", "qo-plain"] });
      expect(rows.map((r) => [r.workflowID, r.queueName, r.status])).toEqual([
        ["qo-keyed", "parts", "ENQUEUED"],
        ["qo-plain", "plain", "ENQUEUED"],
      ]);
    },
  );

  test("a client, which knows no queue settings, is refused the same way", async () => {
    const client = await createClient({ systemDatabaseUrl: db.url, appName: "queue-options", logger: quietLogger });
    try {
      expect(
        await failure(() => enqueueWorkflow(client, "job", "a", { queue: "parts", workflowID: "qo-client-no-key" })),
      ).toMatch(/^INVALID_ARGUMENT: Queue parts is partitioned .*needs a partitionKey/);
      await enqueueWorkflow(client, "job", "a", { queue: "parts", partitionKey: "c", workflowID: "qo-client-keyed" });
      expect(
        (await listWorkflows(client, { workflowIDs: ["qo-client-no-key", "qo-client-keyed"] })).map(
          (r) => r.workflowID,
        ),
      ).toEqual(["qo-client-keyed"]);
    } finally {
      await shutdown(client);
    }
  });

  test("a fork onto a partitioned queue needs a partitionKey, and keeps it", async () => {
    expect(
      await failure(() =>
        forkWorkflow(ctx, "qo-plain", { startStep: 0, queue: "parts", newWorkflowID: "qo-fork-no-key" }),
      ),
    ).toMatch(/^INVALID_ARGUMENT: Queue parts is partitioned .*needs a partitionKey/);
    expect(
      await failure(() =>
        forkWorkflow(ctx, "qo-plain", {
          startStep: 0,
          queue: "plain",
          partitionKey: "k",
          newWorkflowID: "qo-fork-stray",
        }),
      ),
    ).toMatch(/^INVALID_ARGUMENT: Queue plain is not partitioned/);
    await forkWorkflow(ctx, "qo-plain", {
      startStep: 0,
      queue: "parts",
      partitionKey: "f",
      newWorkflowID: "qo-fork-keyed",
    });
    const rows = await listWorkflows(ctx, { workflowIDs: ["qo-fork-no-key", "qo-fork-stray", "qo-fork-keyed"] });
    expect(rows.map((r) => [r.workflowID, r.queueName])).toEqual([["qo-fork-keyed", "parts"]]);
    const sysdb = openSystemDatabase({ url: db.url, poolSize: 1 });
    try {
      const keys = await sysdb.sql`select workflow_uuid, queue_partition_key from dbos.workflow_status
          where workflow_uuid in ('qo-fork-keyed', 'qo-keyed') order by 1`;
      expect(keys.map((r) => [r.workflow_uuid, r.queue_partition_key])).toEqual([
        ["qo-fork-keyed", "f"],
        ["qo-keyed", "k"],
      ]);
    } finally {
      await sysdb.close();
    }
  });
});
