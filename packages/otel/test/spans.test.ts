// The spans and metrics of workflows run in this process, with the SDK's in-memory exporters
// registered as the application's global providers (as an application's own setup would).
import { context, metrics, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import {
  cancelWorkflow,
  createDBOSContext,
  type DBOSContext,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
  type Workflow,
} from "@durably/core";
import { recv, send } from "@durably/notifications";
import { registerQueue } from "@durably/queues";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { instrumentDurably, metricNames } from "../src/index.js";

const db = useTestDatabase({ template: migratedTemplate });
const spans = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [metricReader] });
const contextManager = new AsyncLocalStorageContextManager().enable();
const secret = "card-4242-4242-SECRET";
let dbos: DBOSContext;
// The workflows as registered on dbos.
let shipRef: Workflow<string, number>;
let checkoutRef: Workflow<string, { confirmed: number; card: string }>;
let flakyRef: Workflow<undefined, void>;
let waitingRef: Workflow<undefined, void>;
let inboxRef: Workflow<undefined, string | null>;
let senderRef: Workflow<string, void>;
let nestingRef: Workflow<undefined, void>;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  // The application's setup: durably must use these, and replace none of them.
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  context.setGlobalContextManager(contextManager);
  dbos = createDBOSContext({
    appName: "otel-test",
    systemDatabaseUrl: db.url,
    applicationVersion: "otel-v1",
    executorId: "otel-executor",
    logger: quiet,
    pollIntervalMs: 100,
  });
  shipRef = registerWorkflow(dbos, shipWorkflow);
  checkoutRef = registerWorkflow(dbos, checkoutWorkflow);
  flakyRef = registerWorkflow(dbos, flakyWorkflow);
  waitingRef = registerWorkflow(dbos, waitingWorkflow);
  inboxRef = registerWorkflow(dbos, inboxWorkflow);
  senderRef = registerWorkflow(dbos, senderWorkflow);
  nestingRef = registerWorkflow(dbos, nestingWorkflow);
  instrumentDurably(dbos);
  await registerQueue(dbos, "otel-debounce", { pollingIntervalSec: 0.1 });
  await registerQueue(dbos, "otel-slots", { pollingIntervalSec: 0.1, workerConcurrency: 3 });
  await launch(dbos);
});

afterAll(async () => {
  await shutdown(dbos, { drainMs: 1_000 });
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  contextManager.disable();
  trace.disable();
  metrics.disable();
  context.disable();
});

beforeEach(() => spans.reset());

async function shipWorkflow(ctx: DBOSContext, card: string) {
  return runAsStep(ctx, async () => card.length, { name: "ship" });
}

async function checkoutWorkflow(ctx: DBOSContext, card: string) {
  const reserved = await runAsStep(ctx, async () => 1, { name: "reserve" });
  const charged = await runAsStep(ctx, async () => reserved + 1, { name: "charge" });
  const child = await runWorkflow(ctx, shipRef, card);
  const shipped = await child.getResult();
  const confirmed = await runAsStep(ctx, async () => charged + Number(shipped), { name: "confirm" });
  return { confirmed, card };
}

let flakyFailures = 0;
async function flakyWorkflow(ctx: DBOSContext) {
  await runAsStep(
    ctx,
    async () => {
      if (flakyFailures++ < 2) throw new Error("flaky upstream");
      return "ok";
    },
    { name: "flaky", maxRetries: 3, intervalMs: 1 },
  );
  await runAsStep(
    ctx,
    async () => {
      throw new Error("declined");
    },
    { name: "declined" },
  );
}

async function waitingWorkflow(ctx: DBOSContext) {
  await sleep(ctx, 60_000);
}

async function senderWorkflow(ctx: DBOSContext, destination: string) {
  await send(ctx, destination, secret, { topic: "topic" });
}

async function inboxWorkflow(ctx: DBOSContext) {
  return recv<string>(ctx, { topic: "topic", timeoutMs: 10_000 });
}

/** The application's own spans, started in the workflow's code and in a step's code from the active context. */
async function nestingWorkflow(ctx: DBOSContext) {
  const tracer = trace.getTracer("test-app");
  tracer.startSpan("app span in workflow").end();
  await runAsStep(
    ctx,
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      tracer.startSpan("app span in step").end();
    },
    { name: "nest" },
  );
}

function byName(name: string): ReadableSpan[] {
  return spans.getFinishedSpans().filter((s) => s.name === name);
}

function only(name: string): ReadableSpan {
  const found = byName(name);
  expect(found, `spans named ${name}`).toHaveLength(1);
  return found[0]!;
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

test("a 3-step workflow with a child: one trace under the caller's span, steps under the run, the child under its step", async () => {
  const tracer = tracerProvider.getTracer("test-app");
  const request = tracer.startSpan("POST /checkout");
  const workflowID = "otel-checkout-1";
  const handle = await context.with(trace.setSpan(context.active(), request), () =>
    runWorkflow(dbos, checkoutRef, secret, { workflowID }),
  );
  await handle.getResult();
  request.end();
  await expect.poll(() => byName("shipWorkflow").length).toBe(2); // the child's start step and its run

  const run = byName("checkoutWorkflow")[0]!;
  const traceId = request.spanContext().traceId;
  expect(run.spanContext().traceId).toBe(traceId);
  expect(parentOf(run)).toBe(request.spanContext().spanId);
  expect(run.attributes).toMatchObject({
    "dbos.operation.workflow_id": workflowID,
    "dbos.operation.type": "workflow",
    "dbos.operation.name": "checkoutWorkflow",
    "dbos.application.version": "otel-v1",
    "dbos.executor.id": "otel-executor",
    "durably.workflow.status": "SUCCESS",
  });
  for (const step of ["reserve", "charge", "confirm"]) {
    const span = only(step);
    expect(parentOf(span), step).toBe(run.spanContext().spanId);
    expect(span.attributes).toMatchObject({
      "dbos.operation.workflow_id": workflowID,
      "dbos.operation.type": "step",
      "dbos.operation.name": step,
      "durably.step.attempts": 1,
    });
  }
  // The child's start is a step of the parent (it has a step ID); its run is the other span of that name.
  const childStep = byName("shipWorkflow").find((s) => s.attributes["durably.step.id"] !== undefined);
  const childRun = byName("shipWorkflow").find((s) => s !== childStep);
  expect(childStep!.attributes).toMatchObject({ "dbos.operation.workflow_id": workflowID, "durably.step.id": 2 });
  expect(parentOf(childStep!)).toBe(run.spanContext().spanId);
  expect(parentOf(childRun!)).toBe(childStep!.spanContext().spanId);
  expect(childRun!.attributes["dbos.operation.workflow_id"]).toBe(`${workflowID}-2`);
  expect(parentOf(only("ship"))).toBe(childRun!.spanContext().spanId);
  const getResult = only("DBOS.getResult");
  expect(getResult.attributes["dbos.operation.type"]).toBe("getResult");
  expect(parentOf(getResult)).toBe(run.spanContext().spanId);
  // Every span is in the caller's trace, and no attribute carries the workflow's input.
  for (const span of spans.getFinishedSpans()) {
    expect(span.spanContext().traceId, span.name).toBe(traceId);
    expect(JSON.stringify(span.attributes), span.name).not.toContain(secret);
  }
});

test("the application's spans nest: in a step's code under the step, in the workflow's code under the run", async () => {
  await (await runWorkflow(dbos, nestingRef, undefined, { workflowID: "otel-nesting-1" })).getResult();
  await expect.poll(() => byName("nestingWorkflow").length).toBe(1);
  const run = only("nestingWorkflow");
  const step = only("nest");
  expect(parentOf(only("app span in workflow"))).toBe(run.spanContext().spanId);
  expect(parentOf(step)).toBe(run.spanContext().spanId);
  expect(parentOf(only("app span in step"))).toBe(step.spanContext().spanId);
});

test("retries are events on the step's span; a failed step and workflow set ERROR and record the exception", async () => {
  const handle = await runWorkflow(dbos, flakyRef, undefined, { workflowID: "otel-flaky-1" });
  await expect(handle.getResult()).rejects.toThrow("declined");
  await expect.poll(() => byName("flakyWorkflow").length).toBe(1);
  const flaky = only("flaky");
  expect(flaky.attributes["durably.step.attempts"]).toBe(3);
  expect(flaky.status.code).toBe(SpanStatusCode.UNSET);
  const retries = flaky.events.filter((e) => e.name === "retry");
  expect(retries.map((e) => e.attributes?.["durably.retry.attempt"])).toEqual([1, 2]);
  expect(flaky.events.filter((e) => e.name === "exception")).toHaveLength(2);
  const declined = only("declined");
  expect(declined.status).toEqual({ code: SpanStatusCode.ERROR, message: "declined" });
  expect(declined.events.find((e) => e.name === "exception")?.attributes?.["exception.message"]).toBe("declined");
  const run = only("flakyWorkflow");
  expect(run.status.code).toBe(SpanStatusCode.ERROR);
  expect(run.attributes["durably.workflow.status"]).toBe("ERROR");
});

test("send and recv are spans of their workflows; durable waits are spans too", async () => {
  const inbox = await runWorkflow(dbos, inboxRef, undefined, { workflowID: "otel-inbox-1" });
  await send(dbos, "otel-inbox-1", secret, { topic: "topic" });
  expect(await inbox.getResult()).toBe(secret);
  // A recv's span ends once it looked up the send it may link to.
  await expect.poll(() => byName("DBOS.recv").length).toBe(1);
  const recvSpan = only("DBOS.recv");
  expect(recvSpan.attributes["dbos.operation.type"]).toBe("recv");
  expect(parentOf(recvSpan)).toBe(only("inboxWorkflow").spanContext().spanId);
  expect(JSON.stringify(recvSpan.attributes)).not.toContain(secret);
});

test("send → recv is a link from the recv's span to the send's span", async () => {
  const inbox = await runWorkflow(dbos, inboxRef, undefined, { workflowID: "otel-inbox-2" });
  await (await runWorkflow(dbos, senderRef, "otel-inbox-2", { workflowID: "otel-sender-2" })).getResult();
  expect(await inbox.getResult()).toBe(secret);
  await expect.poll(() => byName("DBOS.recv").length).toBe(1);
  const sent = only("DBOS.send");
  expect(sent.attributes).toMatchObject({
    "dbos.operation.type": "send",
    "dbos.operation.workflow_id": "otel-sender-2",
  });
  const received = only("DBOS.recv");
  expect(received.attributes["dbos.operation.workflow_id"]).toBe("otel-inbox-2");
  // Two workflows, two traces, one link.
  expect(received.spanContext().traceId).not.toBe(sent.spanContext().traceId);
  expect(received.links.map((l) => l.context.spanId)).toEqual([sent.spanContext().spanId]);
  expect(received.links[0]!.context.traceId).toBe(sent.spanContext().traceId);
});

test("a send from outside a workflow is a span in the caller's trace, linked from the recv that consumed it", async () => {
  const tracer = tracerProvider.getTracer("test-app");
  const inbox = await runWorkflow(dbos, inboxRef, undefined, { workflowID: "otel-inbox-3" });
  const request = tracer.startSpan("POST /webhook");
  await context.with(trace.setSpan(context.active(), request), () =>
    send(dbos, "otel-inbox-3", secret, { topic: "topic" }),
  );
  request.end();
  expect(await inbox.getResult()).toBe(secret);
  await expect.poll(() => byName("DBOS.recv").length).toBe(1);
  const sent = only("DBOS.send");
  expect(sent.spanContext().traceId).toBe(request.spanContext().traceId);
  expect(parentOf(sent)).toBe(request.spanContext().spanId);
  expect(sent.attributes["durably.message.destination_id"]).toBe("otel-inbox-3");
  expect(JSON.stringify(sent.attributes)).not.toContain(secret);
  const received = only("DBOS.recv");
  expect(received.links.map((l) => l.context.spanId)).toEqual([sent.spanContext().spanId]);
  expect(received.links[0]!.context.traceId).toBe(request.spanContext().traceId);
});

test("a debounced burst's run is in the trace of the enqueue that started the burst", async () => {
  const tracer = tracerProvider.getTracer("test-app");
  const first = tracer.startSpan("first request");
  const later = tracer.startSpan("later request");
  const debounce = { key: "burst-1", periodMs: 300 };
  const enqueue = (span: typeof first, workflowID: string) =>
    context.with(trace.setSpan(context.active(), span), () =>
      runWorkflow(dbos, shipRef, "abc", { workflowID, queue: "otel-debounce", debounce }),
    );
  const handle = await enqueue(first, "otel-debounce-first");
  const again = await enqueue(later, "otel-debounce-later");
  first.end();
  later.end();
  // The second enqueue joined the first's burst (one run, under the first's ID).
  expect(again.workflowID).toBe(handle.workflowID);
  expect(await handle.getResult()).toBe(3);
  await expect.poll(() => byName("shipWorkflow").length).toBe(1);
  const run = only("shipWorkflow");
  const producer = only("send otel-debounce");
  expect(producer.spanContext().traceId).toBe(first.spanContext().traceId);
  expect(run.spanContext().traceId).toBe(first.spanContext().traceId);
  expect(run.attributes["dbos.operation.workflow_id"]).toBe("otel-debounce-first");
});

test("metrics after a known workload: counts exact", async () => {
  const before = await collect();
  for (let i = 0; i < 3; i++)
    await (await runWorkflow(dbos, shipRef, "x", { workflowID: `otel-metric-${i}` })).getResult();
  const waiting = await runWorkflow(dbos, waitingRef, undefined, { workflowID: "otel-metric-cancel" });
  await cancelWorkflow(dbos, waiting.workflowID);
  await expect(waiting.getResult()).rejects.toThrow();
  // Enqueued on a queue no worker serves: it stays ENQUEUED, so the depth gauge counts it.
  await runWorkflow(dbos, shipRef, "y", { workflowID: "otel-metric-queued", queue: "nobody-serves" });
  await expect
    .poll(async () => delta(before, await collect(), metricNames.workflowsCancelled, "waitingWorkflow"))
    .toBe(1);
  const after = await collect();
  expect(delta(before, after, metricNames.workflowsStarted, "shipWorkflow")).toBe(3);
  expect(delta(before, after, metricNames.workflowsCompleted, "shipWorkflow")).toBe(3);
  expect(delta(before, after, metricNames.workflowsFailed, "shipWorkflow")).toBe(0);
  expect(delta(before, after, metricNames.workflowsStarted, "waitingWorkflow")).toBe(1);
  expect(
    histogramCount(after, metricNames.workflowDuration, "shipWorkflow") -
      histogramCount(before, metricNames.workflowDuration, "shipWorkflow"),
  ).toBe(3);
  expect(
    histogramCount(after, metricNames.stepDuration, "shipWorkflow") -
      histogramCount(before, metricNames.stepDuration, "shipWorkflow"),
  ).toBe(3);
  const depth = points(after, metricNames.queueDepth).find(
    (p) => p.attributes["dbos.queue.name"] === "nobody-serves" && p.attributes["durably.queue.status"] === "ENQUEUED",
  );
  expect(depth?.value).toBe(1);
  expect(points(after, metricNames.checkpointBatchSize).length).toBeGreaterThan(0);
  // The failed workflow of the earlier test counted once.
  expect(sum(after, metricNames.workflowsFailed, "flakyWorkflow")).toBe(1);
});

test("busy and free worker slots per queue and worker, from the queue runner", async () => {
  const slots = (state: string) =>
    points(after, metricNames.queueWorkerSlots).find(
      (p) =>
        p.attributes["dbos.queue.name"] === "otel-slots" &&
        p.attributes["durably.worker.id"] === "otel-executor" &&
        p.attributes["durably.slot.state"] === state,
    )?.value;
  let after = await collect();
  expect([slots("busy"), slots("free")]).toEqual([0, 3]);
  const waiting = await runWorkflow(dbos, waitingRef, undefined, { workflowID: "otel-slots-1", queue: "otel-slots" });
  await expect
    .poll(async () => {
      after = await collect();
      return [slots("busy"), slots("free")];
    })
    .toEqual([1, 2]);
  await cancelWorkflow(dbos, waiting.workflowID);
  await expect(waiting.getResult()).rejects.toThrow();
  await expect
    .poll(async () => {
      after = await collect();
      return [slots("busy"), slots("free")];
    })
    .toEqual([0, 3]);
});

type Point = { attributes: Record<string, unknown>; value: any };

async function collect() {
  const { resourceMetrics } = await metricReader.collect();
  return resourceMetrics;
}

function points(resourceMetrics: any, name: string): Point[] {
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name === name) return metric.dataPoints as Point[];
    }
  }
  return [];
}

function sum(resourceMetrics: any, name: string, workflowName: string): number {
  return points(resourceMetrics, name)
    .filter((p) => p.attributes["durably.workflow.name"] === workflowName)
    .reduce((total, p) => total + Number(p.value), 0);
}

function delta(before: any, after: any, name: string, workflowName: string): number {
  return sum(after, name, workflowName) - sum(before, name, workflowName);
}

function histogramCount(resourceMetrics: any, name: string, workflowName: string): number {
  return points(resourceMetrics, name)
    .filter((p) => p.attributes["durably.workflow.name"] === workflowName)
    .reduce((total, p) => total + Number(p.value.count), 0);
}

test("a run whose span does not record makes no step spans, and its metrics still count", async () => {
  // A sampler that drops workflow runs but would sample anything else, steps included.
  const dropRuns: Sampler = {
    shouldSample: (_context, _traceId, _name, _kind, attributes) => ({
      decision:
        attributes["dbos.operation.type"] === "workflow"
          ? SamplingDecision.NOT_RECORD
          : SamplingDecision.RECORD_AND_SAMPLED,
    }),
    toString: () => "drop runs",
  };
  const provider = new TracerProvider({
    sampler: dropRuns,
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
  });
  // The premise: this sampler would record a step's span if one were started under a dropped run.
  const unsampledRun = provider
    .getTracer("premise")
    .startSpan("run", { attributes: { "dbos.operation.type": "workflow" } });
  expect(unsampledRun.isRecording()).toBe(false);
  const premiseStep = provider
    .getTracer("premise")
    .startSpan(
      "step",
      { attributes: { "dbos.operation.type": "step" } },
      trace.setSpan(context.active(), unsampledRun),
    );
  expect(premiseStep.isRecording()).toBe(true);
  premiseStep.end();
  spans.reset();

  const other = createDBOSContext({
    appName: "otel-test",
    systemDatabaseUrl: db.url,
    applicationVersion: "otel-v1",
    executorId: "otel-unsampled",
    logger: quiet,
  });
  const ship = registerWorkflow(other, shipWorkflow);
  instrumentDurably(other, { tracerProvider: provider, meterProvider });
  await launch(other);
  try {
    const before = await collect();
    await (await runWorkflow(other, ship, "z", { workflowID: "otel-unsampled-1" })).getResult();
    const after = await collect();
    expect(delta(before, after, metricNames.workflowsStarted, "shipWorkflow")).toBe(1);
    expect(
      histogramCount(after, metricNames.stepDuration, "shipWorkflow") -
        histogramCount(before, metricNames.stepDuration, "shipWorkflow"),
    ).toBe(1);
    expect(spans.getFinishedSpans().map((s) => s.name)).toEqual([]);
  } finally {
    await shutdown(other, { drainMs: 1_000 });
    await provider.shutdown();
  }
});
