// A worker process for the pause tests: serves queue "pausable" and logs each task's start and
// end to a file, until SIGTERM.
import { appendFileSync } from "node:fs";
import { createDBOSContext, launch, registerWorkflow, runAsStep, shutdown } from "@durably/core";
import { registerQueue } from "@durably/queues";

const [url, executorId, logFile] = process.argv.slice(2);
const ctx = createDBOSContext({
  appName: "pause-test",
  systemDatabaseUrl: url,
  applicationVersion: "p-v1",
  executorId,
  pollIntervalMs: 200,
});

registerWorkflow(ctx, async function pausableTask(wctx, { id, holdMs }) {
  return runAsStep(
    wctx,
    async () => {
      appendFileSync(logFile, `${JSON.stringify({ id, executorId, event: "start" })}\n`);
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      appendFileSync(logFile, `${JSON.stringify({ id, executorId, event: "end" })}\n`);
      return id;
    },
    { name: "hold" },
  );
});
await registerQueue(ctx, "pausable", { pollingIntervalSec: 0.2 });

process.on("unhandledRejection", (error) => {
  console.error("unhandled rejection", error);
  process.exit(3);
});
process.on("SIGTERM", () => void shutdown(ctx, { drainMs: 5000 }).then(() => process.exit(0)));
await launch(ctx);
process.stdout.write("ready\n");
