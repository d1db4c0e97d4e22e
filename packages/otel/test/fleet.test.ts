// durably metrics' fleet-wide gauges (observeFleet) on a client, read from the system database that a
// worker wrote: workflows by status and name, queue latency, live executors, a successor's recovery.
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  cancelWorkflow,
  createClient,
  createDBOSContext,
  type DBOSContext,
  launch,
  registerWorkflow,
  runWorkflow,
  shutdown,
  sleep,
  type Workflow,
} from "@durably/core";
import { registerQueue } from "@durably/queues";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { fleetMetricNames, observeFleet } from "../src/index.js";

const db = useTestDatabase({ template: migratedTemplate });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const reader = new PeriodicExportingMetricReader({
  exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
  exportIntervalMillis: 3_600_000,
});
const meterProvider = new MeterProvider({ readers: [reader] });
let worker: DBOSContext;
let client: DBOSContext;
let jobRef: Workflow<number, number>;
let waitRef: Workflow<undefined, void>;

beforeAll(async () => {
  worker = createDBOSContext({
    appName: "fleet-app",
    systemDatabaseUrl: db.url,
    applicationVersion: "fleet-v1",
    executorId: "fleet-worker",
    logger: quiet,
    pollIntervalMs: 100,
  });
  jobRef = registerWorkflow(worker, async function fleetJob(_ctx: DBOSContext, n: number) {
    return n * 2;
  });
  waitRef = registerWorkflow(worker, async function fleetWait(ctx: DBOSContext) {
    await sleep(ctx, 60_000);
  });
  await registerQueue(worker, "fleet-q", { pollingIntervalSec: 0.1 });
  await launch(worker);
  client = await createClient({ systemDatabaseUrl: db.url, appName: "fleet-app", logger: quiet });
  observeFleet(client, { meterProvider, windowMs: 600_000 });
});

afterAll(async () => {
  await meterProvider.shutdown();
  await shutdown(client);
  await shutdown(worker, { drainMs: 1_000 });
});

type Point = { attributes: Record<string, unknown>; value: number };

async function points(name: string): Promise<Point[]> {
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics)
    for (const metric of scope.metrics) if (metric.descriptor.name === name) return metric.dataPoints as Point[];
  return [];
}

test("observeFleet rejects a bad window, naming the option", () => {
  expect(() => observeFleet(client, { windowMs: 0 })).toThrow(/windowMs/);
  expect(() => observeFleet(client, { windowMs: "1" } as never)).toThrow(/windowMs/);
});

test("fleet gauges: workflows by status and name, queue latency, live executors, a recovered workflow", async () => {
  const fleetJob = "fleetJob";
  for (let i = 0; i < 3; i++)
    expect(await (await runWorkflow(worker, jobRef, i, { queue: "fleet-q" })).getResult()).toBe(i * 2);
  expect(await (await runWorkflow(worker, jobRef, 5)).getResult()).toBe(10);
  const waiting = await runWorkflow(worker, waitRef, undefined, { workflowID: "fleet-wait" });

  const workflows = await points(fleetMetricNames.workflows);
  const count = (status: string, name: string) =>
    workflows.find(
      (p) => p.attributes["durably.workflow.status"] === status && p.attributes["durably.workflow.name"] === name,
    )?.value;
  expect(count("SUCCESS", fleetJob)).toBe(4);
  expect(count("PENDING", "fleetWait")).toBe(1);

  const started = (await points(fleetMetricNames.queueStarted)).find(
    (p) => p.attributes["dbos.queue.name"] === "fleet-q",
  );
  expect(started?.value).toBe(3);
  const latency = await points(fleetMetricNames.queueLatency);
  const statistic = (s: string) =>
    latency.find((p) => p.attributes["dbos.queue.name"] === "fleet-q" && p.attributes["durably.statistic"] === s)
      ?.value;
  expect(statistic("avg")).toBeGreaterThanOrEqual(0);
  expect(statistic("max")!).toBeGreaterThanOrEqual(statistic("p95")!);
  expect(statistic("p95")!).toBeGreaterThanOrEqual(0);

  const executors = await points(fleetMetricNames.executors);
  expect(
    executors.find(
      (p) =>
        p.attributes["durably.application.name"] === "fleet-app" &&
        p.attributes["dbos.application.version"] === "fleet-v1",
    )?.value,
  ).toBe(1);

  // A PENDING workflow on its first run (recovery_attempts 1) is not a recovery.
  const recovered = async () =>
    (await points(fleetMetricNames.recovered)).find((p) => p.attributes["durably.workflow.name"] === "fleetWait")
      ?.value;
  expect(await recovered()).toBeUndefined();
  // A successor launched as the same executor ends the worker's lease and recovers its PENDING workflow.
  const successor = createDBOSContext({
    appName: "fleet-app",
    systemDatabaseUrl: db.url,
    applicationVersion: "fleet-v1",
    executorId: "fleet-worker",
    logger: quiet,
    pollIntervalMs: 100,
  });
  registerWorkflow(successor, async function fleetJob(_ctx: DBOSContext, n: number) {
    return n * 2;
  });
  registerWorkflow(successor, async function fleetWait(ctx: DBOSContext) {
    await sleep(ctx, 60_000);
  });
  await launch(successor);
  try {
    await expect.poll(recovered, { timeout: 20_000 }).toBe(1);
  } finally {
    await cancelWorkflow(worker, waiting.workflowID);
    await shutdown(successor, { drainMs: 1_000 });
  }
}, 60_000);
