// What the scopes of one instrumented context share: its tracer (undefined when traces are off),
// its metric instruments (undefined when metrics are off), the host, and the metric attribute cache.
import type { Tracer } from "@opentelemetry/api";
import type { ExtensionHost } from "@durably/core/extension";
import type { DurablyMetrics } from "./durably-metrics.js";
import type { MetricAttributes } from "./metric-attributes.js";

export interface Recorders {
  readonly tracer: Tracer | undefined;
  readonly metrics: DurablyMetrics | undefined;
  readonly host: ExtensionHost;
  readonly attributes: MetricAttributes;
}
