// instrumentDurably: turn on OpenTelemetry traces and metrics for one durably context, on the
// application's providers (the global ones unless given), never installing any of its own.
import { metrics, type MeterProvider, trace, type TracerProvider } from "@opentelemetry/api";
import { type DBOSContext, DurablyError } from "@durably/core";
import { extensionHost, readWorkerSlots, registerExtension, setInstrumentation } from "@durably/core/extension";
import { checkOptions } from "@durably/sysdb";
import { DurablyMetrics } from "./durably-metrics.js";
import { OtelInstrumentation } from "./otel-instrumentation.js";

/** The instrumentation scope name of durably's tracer and meter. */
export const instrumentationScope = "@durably/otel";

export interface InstrumentDurablyOptions {
  /** false installs nothing: durably runs exactly as without this package. Default true. */
  readonly enabled?: boolean;
  /** Record spans. Default true. */
  readonly traces?: boolean;
  /** Record metrics. Default true. */
  readonly metrics?: boolean;
  /**
   * The provider to get durably's tracer from. Default: the global one (`trace.getTracerProvider()`),
   * looked up now; register your SDK before calling instrumentDurably.
   */
  readonly tracerProvider?: TracerProvider;
  /** The provider to get durably's meter from. Default: the global one (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
}

/**
 * Instruments `ctx` (a worker's context or a client) with OpenTelemetry: a span per workflow run,
 * step, durable wait, send and enqueue, with the caller's trace context stored with each workflow
 * it starts, and durably's metrics. Call it before launch (or before a client's first enqueue).
 *
 * @example
 * import { NodeSDK } from "@opentelemetry/sdk-node";
 * new NodeSDK({ traceExporter: new OTLPTraceExporter() }).start(); // your app's providers
 * const dbos = createDBOSContext({ appName: "shop" });
 * instrumentDurably(dbos);
 * await launch(dbos);
 */
export function instrumentDurably(ctx: DBOSContext, options: InstrumentDurablyOptions = {}): void {
  checkOptions("instrumentDurably", options, {
    enabled: { type: "boolean" },
    traces: { type: "boolean" },
    metrics: { type: "boolean" },
    tracerProvider: { type: "object" },
    meterProvider: { type: "object" },
  });
  if (options.tracerProvider !== undefined && typeof options.tracerProvider.getTracer !== "function")
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "instrumentDurably: tracerProvider must have getTracer (a TracerProvider).",
    );
  if (options.meterProvider !== undefined && typeof options.meterProvider.getMeter !== "function")
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "instrumentDurably: meterProvider must have getMeter (a MeterProvider).",
    );
  const host = extensionHost(ctx);
  if (options.enabled === false) return;
  const tracer =
    options.traces === false
      ? undefined
      : (options.tracerProvider ?? trace.getTracerProvider()).getTracer(instrumentationScope);
  const meter =
    options.metrics === false
      ? undefined
      : (options.meterProvider ?? metrics.getMeterProvider()).getMeter(instrumentationScope);
  const instruments = meter === undefined ? undefined : new DurablyMetrics(meter, host, () => readWorkerSlots(ctx));
  if (tracer === undefined && instruments === undefined) return;
  setInstrumentation(ctx, new OtelInstrumentation(tracer, instruments, host));
  registerExtension(ctx, {
    name: "otel",
    async onShutdown() {
      setInstrumentation(ctx, undefined);
    },
  });
}
