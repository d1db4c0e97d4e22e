// @durably/otel: OpenTelemetry traces and metrics for durably.
//
// Its job: observe a durably context through core's instrumentation hook (setInstrumentation in
// @durably/core/extension) and record spans and metrics on the application's own TracerProvider
// and MeterProvider. It may import @durably/core, @durably/sysdb (its trace-context and
// queue-depth reads) and @opentelemetry/api (a peer: the application's copy, so its global
// providers are the ones used). It never registers a provider, exporter or context manager.
export { instrumentDurably, instrumentationScope, type InstrumentDurablyOptions } from "./instrument-durably.js";
export { metricNames } from "./durably-metrics.js";
export { observeFleet, fleetMetricNames, type ObserveFleetOptions } from "./observe-fleet.js";
export {
  dbos as dbosAttributes,
  messaging as messagingAttributes,
  durably as durablyAttributes,
} from "./attribute-names.js";
