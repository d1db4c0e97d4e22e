// `durably metrics`: durably's fleet-wide OpenTelemetry metrics read from the system database (queue
// depth, workflows by status and name, queue latency, live executors, recoveries) at /metrics,
// through OpenTelemetry's Prometheus exporter, until Ctrl-C.
import type { Command } from "commander";
import { createConsoleLogger, shutdown } from "@durably/core";
import { usage } from "../cli-failure.js";
import { connectClient, type ConnectionOptions, untilInterrupted } from "../connect-client.js";
import { loadMetrics } from "../load-metrics.js";
import { parseCount } from "../parse-count.js";
import { printJson, printNote, printText } from "../output/print.js";

interface MetricsFlags {
  readonly port: string;
  readonly host: string;
  readonly window: string;
}

export function registerMetricsCommand(program: Command, global: () => ConnectionOptions & { json?: boolean }): void {
  program
    .command("metrics")
    .description(
      "serve durably's fleet-wide metrics that the system database knows (queue depth by status, workflows by " +
        "status and name, enqueue-to-start latency per queue, live executors, recovered workflows) at /metrics for " +
        "Prometheus, " +
        "until Ctrl-C; a worker's own metrics come from @durably/otel in its process. Needs @durably/otel and " +
        "OpenTelemetry's sdk-metrics and exporter-prometheus",
    )
    .option("--port <n>", "port", "9464")
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--window <seconds>", "recent window of the workflow counts and queue latencies", "300")
    .action(async (flags: MetricsFlags) => {
      const port = parseCount(flags.port, "--port");
      if (port < 1 || port > 65_535) throw usage("--port must be from 1 to 65535.");
      const windowSec = parseCount(flags.window, "--window", 1);
      const { instrumentDurably, observeFleet, MeterProvider, PrometheusExporter } = await loadMetrics();
      const options = global();
      const client = await connectClient(options, { poolSize: 2, logger: createConsoleLogger("warn") });
      // This process's own provider, given explicitly: nothing global is registered.
      let started: (error: Error | void) => void = () => undefined;
      const listening = new Promise<Error | void>((resolve) => (started = resolve));
      const exporter = new PrometheusExporter({ host: flags.host, port }, (error) => started(error));
      const meterProvider = new MeterProvider({ readers: [exporter] });
      try {
        const error = await listening;
        if (error) throw usage(`cannot listen on ${flags.host}:${port}: ${error.message}`);
        instrumentDurably(client, { traces: false, meterProvider });
        observeFleet(client, { meterProvider, windowMs: windowSec * 1000 });
        const url = `http://${flags.host.includes(":") ? `[${flags.host}]` : flags.host}:${port}/metrics`;
        if (options.json) printJson({ url });
        else {
          printText(`durably metrics on ${url}`);
          printNote("Ctrl-C stops it.");
        }
        await untilInterrupted();
      } finally {
        await meterProvider.shutdown().catch(() => undefined);
        await shutdown(client, { timeoutMs: 0 });
      }
    });
}
