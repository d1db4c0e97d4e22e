// `durably queue list|pause|resume`: the queues and their flow-control settings, and pausing one.
import type { Command } from "commander";
import { listQueues, pauseQueue, resumeQueue, type QueueInfo } from "@durably/queues";
import { withClient, type ConnectionOptions } from "../connect-client.js";
import { printJson, printText } from "../output/print.js";
import { renderTable } from "../output/table.js";

export function registerQueueCommands(program: Command, global: () => ConnectionOptions & { json?: boolean }): void {
  const queue = program.command("queue").alias("queues").description("inspect, pause and resume queues");
  queue
    .command("list")
    .description("the application's queues and their limits")
    .action(() =>
      withClient(global(), async (client) => {
        const queues = await listQueues(client);
        if (global().json) return printJson(queues);
        const limit = (n: number | undefined) => (n === undefined ? "-" : String(n));
        printText(
          renderTable(queues, [
            { header: "QUEUE", value: (q) => q.name },
            { header: "CONCURRENCY", value: (q) => limit(q.concurrency) },
            { header: "PER WORKER", value: (q) => limit(q.workerConcurrency) },
            {
              header: "RATE LIMIT",
              value: (q) => (q.rateLimit ? `${q.rateLimit.limit}/${q.rateLimit.periodSec}s` : "-"),
            },
            { header: "PER PARTITION", value: perPartition },
            { header: "APP", value: (q) => q.applicationName ?? "-" },
            { header: "PAUSED", value: (q) => (q.paused ? (q.paused.reason ?? "yes") : "-") },
          ]),
        );
      }),
    );
  queue
    .command("pause <name>")
    .description("stop every durably worker dequeuing from the queue (running workflows finish; enqueues wait)")
    .option("--reason <text>", "why, shown by queue list")
    .action((name: string, options: { reason?: string }) =>
      withClient(global(), async (client) => {
        const paused = await pauseQueue(client, name, options.reason === undefined ? {} : { reason: options.reason });
        if (global().json) return printJson({ queue: name, paused: true, changed: paused });
        printText(paused ? `paused queue ${name}` : `queue ${name} was already paused`);
      }),
    );
  queue
    .command("resume <name>")
    .description("let workers dequeue from a paused queue again")
    .action((name: string) =>
      withClient(global(), async (client) => {
        const resumed = await resumeQueue(client, name);
        if (global().json) return printJson({ queue: name, paused: false, changed: resumed });
        printText(resumed ? `resumed queue ${name}` : `queue ${name} was not paused`);
      }),
    );
}

/**
 * A partitioned queue's per-partition limits ("concurrency=1 worker=2 rate=5/1s"), "none" without any, "-" when not
 * partitioned.
 */
function perPartition(q: QueueInfo): string {
  if (!q.partitionQueue) return "-";
  const parts = [
    q.partitionConcurrency === undefined ? undefined : `concurrency=${q.partitionConcurrency}`,
    q.partitionWorkerConcurrency === undefined ? undefined : `worker=${q.partitionWorkerConcurrency}`,
    q.partitionRateLimit === undefined
      ? undefined
      : `rate=${q.partitionRateLimit.limit}/${q.partitionRateLimit.periodSec}s`,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? "none" : parts.join(" ");
}
