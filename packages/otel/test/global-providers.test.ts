// @durably/otel uses the application's global providers and never installs its own: with none
// registered it records nothing and leaves the globals free; with the application's registered,
// they are the ones used and still the globals afterwards. (Own file: the API's globals are per process.)
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import {
  createDBOSContext,
  type DBOSContext,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
} from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, expect, test } from "vitest";
import { instrumentDurably } from "../src/index.js";

const db = useTestDatabase({ template: migratedTemplate });
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

afterAll(() => {
  trace.disable();
  metrics.disable();
  context.disable();
});

async function runOnce(appName: string, options: { enabled?: boolean } = {}): Promise<void> {
  const dbos: DBOSContext = createDBOSContext({ appName, systemDatabaseUrl: db.url, logger: quiet });
  const wf = registerWorkflow(dbos, async function globalsWorkflow(ctx: DBOSContext) {
    return runAsStep(ctx, async () => 1, { name: "one" });
  });
  instrumentDurably(dbos, options);
  await launch(dbos);
  try {
    expect(await (await runWorkflow(dbos, wf, undefined)).getResult()).toBe(1);
  } finally {
    await shutdown(dbos);
  }
}

test("with no provider registered, durably installs none: the globals stay free for the application", async () => {
  await runOnce("globals-none");
  // Premise of the next checks: the API's setters return false when a global is already registered.
  const tracerProvider = new TracerProvider();
  expect(trace.setGlobalTracerProvider(tracerProvider)).toBe(true);
  expect(metrics.setGlobalMeterProvider(new MeterProvider())).toBe(true);
  expect(context.setGlobalContextManager(new AsyncLocalStorageContextManager())).toBe(true);
  expect(trace.setGlobalTracerProvider(new TracerProvider())).toBe(false);
  trace.disable();
  metrics.disable();
  context.disable();
});

test("with the application's providers registered, durably records on them and replaces none", async () => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const meterProvider = new MeterProvider();
  const contextManager = new AsyncLocalStorageContextManager().enable();
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  context.setGlobalContextManager(contextManager);
  const proxy = trace.getTracerProvider() as unknown as { getDelegate(): unknown };
  await runOnce("globals-app");
  expect(proxy.getDelegate()).toBe(tracerProvider);
  expect((trace.getTracerProvider() as unknown as { getDelegate(): unknown }).getDelegate()).toBe(tracerProvider);
  expect(metrics.getMeterProvider()).toBe(meterProvider);
  // The context manager is still the application's: a value set through it is seen through the API.
  const key = Symbol("probe");
  expect(context.with(context.active().setValue(key, 7), () => context.active().getValue(key))).toBe(7);
  expect(
    exporter
      .getFinishedSpans()
      .map((s) => s.name)
      .sort(),
  ).toEqual(["globalsWorkflow", "one"]);
  // enabled: false installs nothing: the same run records no span.
  exporter.reset();
  await runOnce("globals-disabled", { enabled: false });
  expect(exporter.getFinishedSpans()).toEqual([]);
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  contextManager.disable();
});
