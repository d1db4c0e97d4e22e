// A worker process for the client and CLI tests: serves queue "work" and runs the workflows
// below, logging every step execution to an effect log, until SIGTERM.
import { appendFileSync } from "node:fs";
import { createDBOSContext, getWorkflowID, launch, registerWorkflow, runAsStep, shutdown } from "@durably/core";
import { closeStream, recv, setEvent, writeStream } from "@durably/notifications";
import { registerQueue } from "@durably/queues";
import { startScheduler } from "@durably/scheduler";

const [url, effectLog, applicationVersion = "ops-v1", executorId = "ops-worker"] = process.argv.slice(2);
const ctx = createDBOSContext({
  appName: "ops-app",
  systemDatabaseUrl: url,
  applicationVersion,
  executorId,
  pollIntervalMs: 200,
});
const step = (wctx, name, fn) =>
  runAsStep(
    wctx,
    async () => {
      appendFileSync(effectLog, `${getWorkflowID(wctx)}:${name}\n`);
      return fn();
    },
    { name },
  );

registerWorkflow(
  ctx,
  async (wctx, name) => {
    const a = await step(wctx, "a", async () => "hello");
    const b = await step(wctx, "b", async () => `${a} ${name}`);
    return step(wctx, "c", async () => `${b}!`);
  },
  { name: "greet" },
);

registerWorkflow(
  ctx,
  async (wctx) => {
    await step(wctx, "before", async () => "ok");
    const go = await recv(wctx, { topic: "go", timeoutMs: 60_000 });
    return step(wctx, "after", async () => `went ${go}`);
  },
  { name: "gated" },
);

registerWorkflow(
  ctx,
  async (wctx) => {
    await setEvent(wctx, "stage", "ready");
    for (const value of ["x", "y", "z"]) await writeStream(wctx, "letters", value);
    await closeStream(wctx, "letters");
    return "talked";
  },
  { name: "talker" },
);

registerWorkflow(ctx, async (wctx, input) => step(wctx, "tick", async () => input.scheduledTime.toISOString()), {
  name: "scheduledJob",
});

await registerQueue(ctx, "work", { workerConcurrency: 10, pollingIntervalSec: 0.2 });
startScheduler(ctx, { pollingIntervalMs: 300 });
process.on("unhandledRejection", (error) => {
  console.error("unhandled rejection", error);
  process.exit(3);
});
process.on("SIGTERM", () => void shutdown(ctx, { timeoutMs: 2000 }).then(() => process.exit(0)));
await launch(ctx);
process.stdout.write("ready\n");
