// A worker process for the scheduler tests: runs the scheduler and the "tick" workflow, logging
// each run's scheduled time to a file, until SIGTERM.
import { appendFileSync } from "node:fs";
import { createDBOSContext, launch, registerWorkflow, runAsStep, shutdown } from "@durably/core";
import { startScheduler } from "@durably/scheduler";

const [url, executorId, logFile] = process.argv.slice(2);
const ctx = createDBOSContext({
  appName: "sched-test",
  systemDatabaseUrl: url,
  applicationVersion: "s-v1",
  executorId,
  pollIntervalMs: 200,
});
registerWorkflow(
  ctx,
  async (wctx, input) => {
    await runAsStep(
      wctx,
      async () =>
        void appendFileSync(
          logFile,
          `${JSON.stringify({ at: input.scheduledTime.toISOString(), executorId, context: input.context })}\n`,
        ),
      { name: "log" },
    );
  },
  { name: "tick" },
);
startScheduler(ctx, { pollingIntervalMs: 300 });
process.on("unhandledRejection", (error) => {
  console.error("unhandled rejection", error);
  process.exit(3);
});
process.on("SIGTERM", () => void shutdown(ctx, { timeoutMs: 2000 }).then(() => process.exit(0)));
await launch(ctx);
process.stdout.write(`ready ${Date.now()}\n`); // the test checks this clock is the one it meant to skew
