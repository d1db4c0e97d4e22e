#!/usr/bin/env node
// The `durably` command: see, fix and operate workflows without writing code.
import { Command, CommanderError } from "commander";
import pc from "picocolors";
import { exitCodeOf } from "./cli-failure.js";
import { registerDashboardCommand } from "./commands/dashboard-command.js";
import { registerDatabaseCommands } from "./commands/database-commands.js";
import { registerDevDbCommands } from "./commands/dev-db-commands.js";
import { registerDoctorCommand } from "./commands/doctor-command.js";
import { registerExecutorCommands } from "./commands/executor-commands.js";
import { registerMetricsCommand } from "./commands/metrics-command.js";
import { registerQueueCommands } from "./commands/queue-commands.js";
import { registerScheduleCommands } from "./commands/schedule-commands.js";
import { registerVersionCommands } from "./commands/version-commands.js";
import { registerWorkflowCommands } from "./commands/workflow-commands.js";
import { exitCodes } from "./exit-codes.js";

// `durably … | head` closes the pipe early: that reader has what it wanted, it is not a failure.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? exitCodes.ok);
});

const program = new Command()
  .name("durably")
  .description("Inspect and manage durably (and DBOS) workflows, queues, schedules, executors and versions.")
  .option("--db <url>", "system database URL (default: $DBOS_SYSTEM_DATABASE_URL)")
  .option("--schema <name>", "system schema (default: dbos)")
  .option("--app <name>", "only this application's workflows, queues, schedules and executors")
  .option(
    "--transaction-pooler",
    "the --db URL goes through a pooler in transaction mode (PgBouncer, Supavisor, RDS Proxy): no prepared " +
      "statements kept (default: $DURABLY_TRANSACTION_POOLER)",
  )
  .option(
    "--listen-db <url>",
    "a direct URL (not through the pooler) for LISTEN only: prompt live updates in dashboard and metrics " +
      "(default: $DURABLY_LISTEN_DATABASE_URL)",
  )
  .option("--json", "machine-readable output")
  .addHelpText(
    "after",
    "\nExit codes:\n" +
      "  0  done: every named or selected workflow (or schedule) was changed, or a read succeeded\n" +
      "  1  some were not changed (already finished, not found) or the operation failed\n" +
      "  2  usage: a wrong option, flag value or database URL\n" +
      "  3  the system database could not be reached (refused, unknown host, timeout)",
  )
  .showHelpAfterError()
  .exitOverride();

const global = () =>
  program.opts<{
    db?: string;
    schema?: string;
    app?: string;
    json?: boolean;
    transactionPooler?: boolean;
    listenDb?: string;
  }>();
registerWorkflowCommands(program, global);
registerQueueCommands(program, global);
registerExecutorCommands(program, global);
registerVersionCommands(program, global);
registerScheduleCommands(program, global);
registerDatabaseCommands(program, global);
registerDoctorCommand(program, global);
registerDevDbCommands(program, global);
registerDashboardCommand(program, global);
registerMetricsCommand(program, global);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not failures; anything else commander rejects is a usage error.
    process.exitCode = error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${pc.red("error:")} ${message}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
