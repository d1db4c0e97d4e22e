// @durably/otel with the OpenTelemetry SDK installed from npm as the README says, from plain
// JavaScript: the application starts its NodeSDK (with in-memory exporters instead of OTLP's),
// instrumentDurably records on the providers it registered, and a two-step workflow makes its run's
// span with one child span per step, in one trace, and counts as completed.
//   node otel.mjs <system database url>
import { NodeSDK } from "@opentelemetry/sdk-node";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import { createDBOSContext, launch, registerWorkflow, runAsStep, runWorkflow, shutdown } from "@durably/core";
import { instrumentDurably } from "@durably/otel";
import { check, deadline } from "./report.mjs";

const [url] = process.argv.slice(2);
if (!url) throw new Error("usage: node otel.mjs <system database url>");
deadline(30_000, "@durably/otel");

// The application's setup, first: durably registers no provider of its own.
const exporter = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const sdk = new NodeSDK({
  serviceName: "installed-otel",
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
  metricReaders: [metricReader], // sdk-node 0.300 and later: a list (a `metricReader` is ignored)
});
sdk.start();

const dbos = createDBOSContext({ appName: "installed-otel", systemDatabaseUrl: url });
const checkout = registerWorkflow(dbos, async function checkout(ctx, orderID) {
  const reserved = await runAsStep(ctx, async () => `reserved ${orderID}`, { name: "reserve" });
  await runAsStep(ctx, async () => `charged ${orderID}`, { name: "charge" });
  return reserved;
});
instrumentDurably(dbos);
await launch(dbos);
try {
  const handle = await runWorkflow(dbos, checkout, "order-7");
  const result = await handle.getResult();
  const spans = exporter.getFinishedSpans();
  const run = spans.find((s) => s.name === "checkout");
  const steps = ["reserve", "charge"].map((name) => spans.find((s) => s.name === name));
  check(
    result === "reserved order-7" &&
      run?.attributes["dbos.operation.workflow_id"] === handle.workflowID &&
      run?.attributes["durably.workflow.status"] === "SUCCESS",
    "@durably/otel: the workflow's run is a span with its ID and status",
    JSON.stringify(spans.map((s) => [s.name, s.attributes])),
  );
  check(
    run !== undefined &&
      steps.every(
        (s) =>
          s?.parentSpanContext?.spanId === run.spanContext().spanId &&
          s.spanContext().traceId === run.spanContext().traceId &&
          s.attributes["dbos.operation.type"] === "step",
      ),
    "@durably/otel: each step is a span, child of the run's, in its trace",
    JSON.stringify(spans.map((s) => [s.name, s.parentSpanContext?.spanId, s.spanContext().spanId])),
  );
  await metricReader.forceFlush();
  const completed = metricExporter
    .getMetrics()
    .flatMap((r) => r.scopeMetrics.flatMap((m) => m.metrics))
    .find((m) => m.descriptor.name === "durably.workflows.completed");
  const points = completed?.dataPoints.filter((p) => p.attributes["durably.workflow.name"] === "checkout") ?? [];
  check(
    points.reduce((sum, p) => sum + p.value, 0) === 1,
    "@durably/otel: the run counts in durably.workflows.completed",
    JSON.stringify(completed?.dataPoints),
  );
} finally {
  await shutdown(dbos);
  await sdk.shutdown();
}
