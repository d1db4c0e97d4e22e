// `metrics` serves durably's OpenTelemetry metrics through the Prometheus exporter; @durably/otel and the
// OpenTelemetry packages are optional peers, loaded only when the command runs.
import { CliFailure } from "./cli-failure.js";

// The versions are package.json's peer ranges: on Node 20 npm picks the SDK's 2.x line for a bare name (3.x
// declares Node >= 22.15), whose peer range stops below the @opentelemetry/api 1.10 that @durably/otel brings.
export const metricsMissing =
  "durably metrics needs the optional packages @durably/otel, @opentelemetry/api, @opentelemetry/sdk-metrics and " +
  "@opentelemetry/exporter-prometheus. Install them next to @durably/cli: npm install --save-dev @durably/otel " +
  "@opentelemetry/api @opentelemetry/sdk-metrics@^3.1.1 @opentelemetry/exporter-prometheus@^0.301.2";

export async function loadMetrics() {
  try {
    const [{ instrumentDurably, observeFleet }, { MeterProvider }, { PrometheusExporter }] = await Promise.all([
      import("@durably/otel"),
      import("@opentelemetry/sdk-metrics"),
      import("@opentelemetry/exporter-prometheus"),
    ]);
    return { instrumentDurably, observeFleet, MeterProvider, PrometheusExporter };
  } catch (error) {
    const { code } = (error ?? {}) as { code?: unknown };
    if (code === "ERR_MODULE_NOT_FOUND") throw new CliFailure(metricsMissing);
    throw error;
  }
}
