// A worker process for the listExecutors test: launches with a short lease, starts a workflow that
// waits inside a step, prints "ready" and stays until killed (the test kills it with SIGKILL).
import { createDBOSContext, launch, registerWorkflow, runAsStep, runWorkflow } from "@durably/core";

const [url, appName, executorId] = process.argv.slice(2);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ctx = createDBOSContext({
  appName,
  systemDatabaseUrl: url,
  applicationVersion: "v1",
  executorId,
  logger: quiet,
  leaseRenewMs: 50,
  leaseLapseMs: 150,
});
let inStep;
const started = new Promise((resolve) => (inStep = resolve));
const held = registerWorkflow(ctx, async function held(wctx) {
  return runAsStep(
    wctx,
    async () => {
      inStep();
      await new Promise(() => setInterval(() => undefined, 1000)); // killed here
    },
    { name: "wait" },
  );
});
await launch(ctx);
await runWorkflow(ctx, held, undefined, { workflowID: `held-by-${executorId}` });
await started;
process.stdout.write("ready\n");
