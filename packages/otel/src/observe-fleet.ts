// observeFleet: gauges of what the system database knows about the whole fleet (every worker and
// client of the application), for `durably metrics`; a worker's own metrics come from instrumentDurably.
import { type MeterProvider, metrics } from "@opentelemetry/api";
import { type DBOSContext, DurablyError } from "@durably/core";
import { type ExtensionHost, extensionHost } from "@durably/core/extension";
import { checkOptions } from "@durably/sysdb";
import {
  countLiveExecutors,
  countRecentWorkflows,
  countRecoveredWorkflows,
  queueLatencies,
} from "@durably/sysdb/queries";
import { dbos, durably } from "./attribute-names.js";
import { instrumentationScope } from "./instrument-durably.js";

/** The names of the fleet-wide gauges (README, section OpenTelemetry). */
export const fleetMetricNames = {
  workflows: "durably.fleet.workflows",
  queueStarted: "durably.fleet.queue.started",
  queueLatency: "durably.fleet.queue.latency",
  executors: "durably.fleet.executors",
  recovered: "durably.fleet.workflows.recovered",
} as const;

export interface ObserveFleetOptions {
  /** The provider to get the meter from. Default: the global one (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
  /** The recent window of the workflow counts and queue latencies, in ms. Whole, above 0. Default 300000 (5 minutes). */
  readonly windowMs?: number;
}

/**
 * Registers fleet-wide gauges on `ctx` (a client is enough), read from the system database at each
 * collection: workflows created in the window by status and name, enqueue-to-start latency per
 * queue over the window, live executors, and in-flight workflows that were recovered.
 *
 * @example
 * const client = await createClient({ systemDatabaseUrl, appName: "shop" });
 * observeFleet(client, { meterProvider, windowMs: 60_000 });
 */
export function observeFleet(ctx: DBOSContext, options: ObserveFleetOptions = {}): void {
  checkOptions("observeFleet", options, {
    meterProvider: { type: "object" },
    windowMs: { type: "number", integer: true, above: 0 },
  });
  if (options.meterProvider !== undefined && typeof options.meterProvider.getMeter !== "function")
    throw new DurablyError("INVALID_ARGUMENT", "observeFleet: meterProvider must have getMeter (a MeterProvider).");
  const host = extensionHost(ctx);
  const windowMs = options.windowMs ?? 300_000;
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(instrumentationScope);
  const window = { "durably.window.s": windowMs / 1000 };
  const gauge = (name: string, description: string, unit?: string) =>
    meter.createObservableGauge(name, unit === undefined ? { description } : { description, unit });
  gauge(
    fleetMetricNames.workflows,
    "Workflows created in the recent window, by their status now and name (all processes).",
  ).addCallback((result) =>
    observe(host, "workflow counts", async () => {
      const rows = await countRecentWorkflows(host.sysdb, host.now() - windowMs, host.applicationScope);
      for (const r of rows)
        result.observe(r.count, { [durably.status]: r.status, [durably.workflowName]: r.name, ...window });
    }),
  );
  const latency = gauge(
    fleetMetricNames.queueLatency,
    "Enqueue-to-start latency of queued workflows started in the recent window, per queue: avg, p95 and max.",
    "s",
  );
  const started = gauge(fleetMetricNames.queueStarted, "Queued workflows whose run started in the recent window.");
  meter.addBatchObservableCallback(
    (batch) =>
      observe(host, "queue latencies", async () => {
        for (const q of await queueLatencies(host.sysdb, host.now() - windowMs, host.applicationScope)) {
          const queue = { [dbos.queueName]: q.queueName, ...window };
          batch.observe(started, q.count, queue);
          batch.observe(latency, q.avgMs / 1000, { ...queue, "durably.statistic": "avg" });
          batch.observe(latency, q.p95Ms / 1000, { ...queue, "durably.statistic": "p95" });
          batch.observe(latency, q.maxMs / 1000, { ...queue, "durably.statistic": "max" });
        }
      }),
    [latency, started],
  );
  gauge(fleetMetricNames.executors, "Executors with a live lease, by application and version.").addCallback((result) =>
    observe(host, "live executors", async () => {
      for (const e of await countLiveExecutors(host.sysdb, host.applicationScope))
        result.observe(e.count, {
          "durably.application.name": e.applicationName,
          [dbos.applicationVersion]: e.applicationVersion,
        });
    }),
  );
  gauge(
    fleetMetricNames.recovered,
    "PENDING workflows that were recovered or adopted at least once (recovery_attempts above 1), by name.",
  ).addCallback((result) =>
    observe(host, "recovered workflows", async () => {
      for (const r of await countRecoveredWorkflows(host.sysdb, host.applicationScope))
        result.observe(r.count, { [durably.workflowName]: r.name });
    }),
  );
}

/** Runs one read for a collection; a failed read is logged and leaves the gauge empty this time. */
async function observe(host: ExtensionHost, what: string, read: () => Promise<void>): Promise<void> {
  if (host.state !== "launched") return;
  try {
    await read();
  } catch (error) {
    host.logger.warn(`could not read ${what} for metrics`, { error });
  }
}
