// A worker process for the result-wake test: serves queue "gated", whose workflow returns once
// the gate file named in its input exists, until SIGTERM.
import { existsSync } from "node:fs";
import { createDBOSContext, launch, registerWorkflow, runAsStep, shutdown } from "@durably/core";
import { registerQueue } from "@durably/queues";

const [url] = process.argv.slice(2);
const ctx = createDBOSContext({ appName: "wake-test", systemDatabaseUrl: url, applicationVersion: "w-v1" });

registerWorkflow(ctx, async function gatedTask(wctx, { gate, value }) {
  return runAsStep(
    wctx,
    async () => {
      while (!existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 20));
      return value;
    },
    { name: "wait for the gate" },
  );
});
await registerQueue(ctx, "gated", { pollingIntervalSec: 0.2 });

process.on("unhandledRejection", (error) => {
  console.error("unhandled rejection", error);
  process.exit(3);
});
process.on("SIGTERM", () => void shutdown(ctx, { drainMs: 5000 }).then(() => process.exit(0)));
await launch(ctx);
process.stdout.write("ready\n");
