// `durably dashboard`: the live web UI (@durably/dashboard) on 127.0.0.1:4000 until Ctrl-C.
import type { Command } from "commander";
import { createConsoleLogger, shutdown } from "@durably/core";
import { usage } from "../cli-failure.js";
import { connectClient, type ConnectionOptions, untilInterrupted } from "../connect-client.js";
import { loadDashboard } from "../load-dashboard.js";
import { parseCount } from "../parse-count.js";
import { printJson, printNote, printText } from "../output/print.js";

interface DashboardFlags {
  readonly port: string;
  readonly host: string;
  readonly token?: string;
  readonly readOnly?: boolean;
  readonly redact?: boolean;
  readonly liveInterval: string;
}

export function registerDashboardCommand(program: Command, global: () => ConnectionOptions & { json?: boolean }): void {
  program
    .command("dashboard")
    .description(
      "serve the live web UI (workflows, queues, schedules, workers) until Ctrl-C; needs @durably/dashboard. " +
        "Any --host but loopback requires a token: --token, or one generated and printed",
    )
    .option("--port <n>", "port (0: any free one)", "4000")
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--token <token>", "the token every request must carry (default: generated off loopback)")
    .option("--read-only", "no actions: no cancel, resume, fork or schedule changes")
    .option("--redact", "metadata only: never inputs, outputs, errors, events or messages")
    .option("--live-interval <ms>", "how often the live feed reads the steps and status of what open tabs show", "1000")
    .action(async (flags: DashboardFlags) => {
      const port = parseCount(flags.port, "--port");
      if (port > 65_535) throw usage("--port must be from 0 to 65535.");
      const probeIntervalMs = parseCount(flags.liveInterval, "--live-interval");
      if (probeIntervalMs < 50 || probeIntervalMs > 60_000) throw usage("--live-interval must be from 50 to 60000 ms.");
      const { startDashboardServer } = await loadDashboard();
      const options = global();
      const client = await connectClient(options, { poolSize: 4, logger: createConsoleLogger("warn") });
      try {
        const server = await startDashboardServer(client, {
          host: flags.host,
          port,
          ...(flags.token === undefined ? {} : { token: flags.token }),
          readOnly: flags.readOnly ?? false,
          redact: flags.redact ?? false,
          probeIntervalMs,
        });
        if (options.json) printJson({ url: server.url, generatedToken: server.generatedToken });
        else {
          if (server.generatedToken) printNote(`Generated a token for this address (every request needs it).`);
          printText(`durably dashboard on ${server.url}`);
          printNote("Ctrl-C stops it.");
        }
        await untilInterrupted();
        await server.close();
      } finally {
        await shutdown(client, { timeoutMs: 0 });
      }
    });
}
