// A worker process for the crash test: runs a 3-step workflow, logging each step's execution
// to an effect log outside the database. In "start" mode it hangs inside step two (the test kills
// it with SIGKILL there); in "recover" mode it relaunches, finishes the workflow and prints the result.
import { appendFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import {
  createDBOSContext,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
} from "@durably/core";

const [url, mode, effectLog] = process.argv.slice(2);
const effect = (line) => appendFileSync(effectLog, `${line}\n`);

const ctx = createDBOSContext({
  appName: "crash-test",
  systemDatabaseUrl: url,
  applicationVersion: "crash-v1",
  executorId: "crash-executor",
});

const step = (wctx, name, fn) =>
  runAsStep(
    wctx,
    async () => {
      const nonce = randomUUID();
      effect(`begin ${name} ${nonce}`);
      const value = await fn();
      effect(`end ${name} ${nonce}`);
      return value;
    },
    { name },
  );

const order = registerWorkflow(ctx, async function crashyOrder(wctx, amount) {
  const reserved = await step(wctx, "reserve", async () => amount);
  const charged = await step(wctx, "charge", async () => {
    if (mode === "start") await new Promise(() => setInterval(() => undefined, 1000)); // killed here
    return reserved * 2;
  });
  const shipped = await step(wctx, "ship", async () => charged + 1);
  return { reserved, charged, shipped };
});

await launch(ctx);
if (mode === "start") {
  await runWorkflow(ctx, order, 21, { workflowID: "crash-order" });
} else {
  const result = await (await retrieveWorkflow(ctx, "crash-order")).getResult({ timeoutMs: 20_000 });
  process.stdout.write(JSON.stringify(result));
  await shutdown(ctx);
}
