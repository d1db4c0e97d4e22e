// A paused queue gives nothing to the dequeue statement itself, whichever worker sends it, and
// gives again once resumed; pauses are kept by queue name.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { migratedTemplate, openSystemDatabase, type SystemDatabase } from "../src/index.js";
import {
  deleteQueuePause,
  dequeueWorkflows,
  insertQueuePause,
  insertWorkflow,
  listQueuePauses,
  newLeaseID,
  newOwnerToken,
} from "../src/queries.js";

const db = useTestDatabase({ template: migratedTemplate });
let sysdb: SystemDatabase;

beforeAll(() => {
  sysdb = openSystemDatabase({ url: db.url, poolSize: 2 });
});
afterAll(() => sysdb.close());

test("the dequeue statement claims nothing from a paused queue, and claims again once it is resumed", async () => {
  const now = Date.now();
  for (const id of ["p-1", "p-2"]) {
    await insertWorkflow(sysdb, {
      workflowID: id,
      status: "ENQUEUED",
      name: "task",
      queueName: "q",
      executorID: null,
      applicationVersion: "v1",
      applicationName: "app",
      applicationID: null,
      timeoutMs: null,
      deadlineEpochMs: null,
      ownerXid: newOwnerToken(),
      parentWorkflowID: null,
      serialization: "portable_json",
      inputs: "[]",
      priority: 0,
      deduplicationID: null,
      queuePartitionKey: null,
      delayUntilEpochMs: null,
      now,
    });
  }
  const identity = {
    executorID: "e1",
    leaseID: newLeaseID(),
    applicationVersion: "v1",
    servedVersions: ["v1"],
    applicationName: "app",
    now,
  };
  const dequeue = () => dequeueWorkflows(sysdb, { identity, queueName: "q", limit: 1, names: ["task"] });

  expect(await insertQueuePause(sysdb, "q", "maintenance")).toBe(true);
  expect(await insertQueuePause(sysdb, "q", "again")).toBe(false);
  expect(await listQueuePauses(sysdb)).toEqual([
    { queueName: "q", pausedAt: expect.any(Number), reason: "maintenance" },
  ]);
  expect(await dequeue()).toEqual([]);

  expect(await deleteQueuePause(sysdb, "q")).toBe(true);
  expect(await deleteQueuePause(sysdb, "q")).toBe(false);
  // A pause of another queue does not hold this one back.
  expect(await insertQueuePause(sysdb, "other", null)).toBe(true);
  expect((await dequeue()).map((w) => w.workflowID)).toEqual(["p-1"]);
  expect(await listQueuePauses(sysdb)).toEqual([{ queueName: "other", pausedAt: expect.any(Number), reason: null }]);
});
