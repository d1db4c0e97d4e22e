// A worker process for the replay memory test: a workflow of 100 steps. In "start" mode it records
// the steps with small outputs and hangs at the end (the test kills it, then enlarges the stored
// outputs); in "recover" mode it recovers the workflow, replaying the large outputs, and prints
// the result with the process's peak RSS.
import {
  createDBOSContext,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
} from "@durably/core";

const [url, mode, stepCount] = process.argv.slice(2);
const steps = Number(stepCount);

const ctx = createDBOSContext({
  appName: "replay-memory",
  systemDatabaseUrl: url,
  applicationVersion: "memory-v1",
  executorId: "memory-executor",
});

const hundredSteps = registerWorkflow(ctx, async function hundredSteps(wctx) {
  let total = 0;
  for (let i = 0; i < steps; i++) total += (await runAsStep(wctx, async () => "x", { name: `part-${i}` })).length;
  if (mode === "start") {
    process.stdout.write("recorded\n");
    await new Promise(() => setInterval(() => undefined, 1000)); // killed here
  }
  return total;
});

const baseline = process.memoryUsage().rss;
await launch(ctx);
if (mode === "start") {
  await runWorkflow(ctx, hundredSteps, undefined, { workflowID: "memory-replay" });
} else {
  const total = await (await retrieveWorkflow(ctx, "memory-replay")).getResult({ timeoutMs: 120_000 });
  await shutdown(ctx);
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ total, baselineRssBytes: baseline, peakRssBytes }));
}
