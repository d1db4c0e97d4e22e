// bench --otel: the application's OpenTelemetry setup as a service would have it (a real SDK, a batch
// span processor, metrics on a periodic reader), with exporters that drop, so the A/B measures what
// durably's instrumentation and the SDK cost, not a collector.
import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { DBOSContext } from "@durably/core";
import { instrumentDurably } from "@durably/otel";

const success = { code: 0 } as const;

/** Registers the global providers once per process, then instruments `dbos`. */
export function instrumentForBench(dbos: DBOSContext): void {
  registerBenchProviders();
  // The tracing-cost bench (src/otel) turns traces or metrics off one at a time to see what each costs.
  instrumentDurably(dbos, {
    traces: process.env.DURABLY_BENCH_OTEL_TRACES !== "0",
    metrics: process.env.DURABLY_BENCH_OTEL_METRICS !== "0",
  });
}

/** The application's SDK (global tracer and meter providers, context manager), once per process. */
export function registerBenchProviders(): void {
  if (!registered) {
    registered = true;
    const droppingSpans = {
      export: (_spans: unknown[], done: (result: typeof success) => void) => done(success),
      shutdown: () => Promise.resolve(),
      forceFlush: () => Promise.resolve(),
    };
    const droppingMetrics = {
      export: (_metrics: unknown, done: (result: typeof success) => void) => done(success),
      shutdown: () => Promise.resolve(),
      forceFlush: () => Promise.resolve(),
      selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
    };
    // DURABLY_BENCH_OTEL_SAMPLE=<ratio>: sample that share of new traces, as a busy service would
    // (ParentBased over TraceIdRatioBased); unset, every trace is recorded (the SDK's default).
    const ratio = process.env.DURABLY_BENCH_OTEL_SAMPLE;
    const sampler =
      ratio === undefined ? undefined : new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(Number(ratio)) });
    trace.setGlobalTracerProvider(
      new TracerProvider({
        ...(sampler === undefined ? {} : { sampler }),
        spanProcessors: [new BatchSpanProcessor({ exporter: droppingSpans })],
      }),
    );
    metrics.setGlobalMeterProvider(
      new MeterProvider({
        readers: [new PeriodicExportingMetricReader({ exporter: droppingMetrics, exportIntervalMillis: 10_000 })],
      }),
    );
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
}

let registered = false;
