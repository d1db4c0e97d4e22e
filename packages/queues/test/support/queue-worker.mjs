// A worker process for the multi-process queue tests: serves the test queues and logs each
// task's start and end (its own clock) to a file, until SIGTERM.
import { appendFileSync } from "node:fs";
import { createDBOSContext, launch, registerWorkflow, runAsStep, shutdown } from "@durably/core";
import { registerQueue } from "@durably/queues";

const [url, executorId, logFile] = process.argv.slice(2);
const ctx = createDBOSContext({
  appName: "queue-test",
  systemDatabaseUrl: url,
  applicationVersion: "q-v1",
  executorId,
  pollIntervalMs: 200,
});

registerWorkflow(ctx, async function queueTask(wctx, { id, holdMs }) {
  return runAsStep(
    wctx,
    async () => {
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      const end = Date.now();
      appendFileSync(logFile, `${JSON.stringify({ id, executorId, start, end })}\n`);
      return id;
    },
    { name: "hold" },
  );
});
await registerQueue(ctx, "limited", { concurrency: 3, workerConcurrency: 2, pollingIntervalSec: 0.2 });
await registerQueue(ctx, "rated", {
  rateLimit: { limit: 5, periodSec: 1 },
  workerConcurrency: 1,
  pollingIntervalSec: 0.2,
});

process.on("unhandledRejection", (error) => {
  console.error("unhandled rejection", error);
  process.exit(3);
});
process.on("SIGTERM", () => void shutdown(ctx, { timeoutMs: 2000 }).then(() => process.exit(0)));
await launch(ctx);
process.stdout.write(`ready ${Date.now()}\n`); // the test checks this clock is the one it meant to skew
