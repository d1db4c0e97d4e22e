// A traced start stores its trace context in the workflow's own row (migration 0011), and the claim
// that hands the workflow to a worker returns it with the row, so the run needs no read of its own.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { migratedTemplate, openSystemDatabase, type SystemDatabase } from "../src/index.js";
import {
  dequeueWorkflows,
  getTraceContext,
  getWorkflow,
  insertWorkflow,
  newLeaseID,
  newOwnerToken,
  type NewWorkflow,
  type TraceCarrier,
} from "../src/queries.js";

const db = useTestDatabase({ template: migratedTemplate });
let sysdb: SystemDatabase;

beforeAll(() => {
  sysdb = openSystemDatabase({ url: db.url, poolSize: 2 });
});
afterAll(() => sysdb.close());

const traced: TraceCarrier = {
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  tracestate: "vendor=value",
};

function workflow(workflowID: string, queueName: string | null, traceContext: TraceCarrier | undefined): NewWorkflow {
  return {
    workflowID,
    status: queueName === null ? "PENDING" : "ENQUEUED",
    name: "task",
    queueName,
    executorID: queueName === null ? "e1" : null,
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
    now: Date.now(),
    traceContext,
  };
}

test("a dequeue returns each workflow's stored trace context, null for an untraced enqueue", async () => {
  expect(await insertWorkflow(sysdb, workflow("traced", "q", traced))).toBeNull();
  expect(await insertWorkflow(sysdb, workflow("untraced", "q", undefined))).toBeNull();
  const identity = {
    executorID: "e1",
    leaseID: newLeaseID(),
    applicationVersion: "v1",
    servedVersions: ["v1"],
    applicationName: "app",
    now: Date.now(),
  };
  const claimed = await dequeueWorkflows(sysdb, { identity, queueName: "q", limit: 10, names: ["task"] });
  expect(Object.fromEntries(claimed.map((w) => [w.workflowID, w.traceContext]))).toEqual({
    traced,
    untraced: null,
  });
  expect(await getTraceContext(sysdb, "traced")).toEqual(traced);
  expect(await getTraceContext(sysdb, "untraced")).toBeUndefined();
});

test("a direct start keeps its trace context in its row, read back by getWorkflow and getTraceContext", async () => {
  const carrier = { traceparent: traced.traceparent, tracestate: null };
  expect(await insertWorkflow(sysdb, workflow("direct", null, carrier))).toBeNull();
  expect((await getWorkflow(sysdb, "direct"))?.traceContext).toEqual(carrier);
  expect(await getTraceContext(sysdb, "direct")).toEqual(carrier);
  // A second start of the same ID changes nothing, its trace context included.
  const other = { traceparent: "00-11111111111111111111111111111111-2222222222222222-01", tracestate: null };
  expect((await insertWorkflow(sysdb, workflow("direct", null, other)))?.traceContext).toEqual(carrier);
});
