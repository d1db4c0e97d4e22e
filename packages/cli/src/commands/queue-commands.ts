// `durably queue list`: the queues and their flow-control settings.
import type { Command } from "commander";
import { listQueues } from "@durably/queues";
import { withClient, type ConnectionOptions } from "../connect-client.js";
import { printJson, printText } from "../output/print.js";
import { renderTable } from "../output/table.js";

export function registerQueueCommands(program: Command, global: () => ConnectionOptions & { json?: boolean }): void {
  const queue = program.command("queue").alias("queues").description("inspect queues");
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
            { header: "RATE LIMIT", value: (q) => (q.rateLimit ? `${q.rateLimit.limit}/${q.rateLimit.periodSec}s` : "-") },
            { header: "PARTITIONED", value: (q) => (q.partitionQueue ? "yes" : "no") },
            { header: "APP", value: (q) => q.applicationName ?? "-" },
          ]),
        );
      }),
    );
}
