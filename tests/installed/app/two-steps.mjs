// A user's app, as plain node runs it from an npm install: two steps with a durable sleep between.
//   DBOS_SYSTEM_DATABASE_URL=... node two-steps.mjs <workflow ID> <marker file> <sleep ms>
// Each step appends a line to the marker file, so the caller can count how often each one ran.
import { appendFileSync } from "node:fs";
import { createDBOSContext, launch, registerWorkflow, runAsStep, runWorkflow, shutdown, sleep } from "@durably/core";

const [workflowID, marker, sleepMs] = process.argv.slice(2);
if (!workflowID || !marker || !sleepMs) {
  throw new Error("usage: node two-steps.mjs <workflow ID> <marker file> <sleep ms>");
}

const ctx = createDBOSContext({ appName: "installed-check" });
const twoSteps = registerWorkflow(ctx, async function twoSteps(c, id) {
  await runAsStep(c, async () => appendFileSync(marker, "step 1\n"), { name: "first" });
  console.log("sleeping");
  await sleep(c, Number(sleepMs));
  await runAsStep(c, async () => appendFileSync(marker, "step 2\n"), { name: "second" });
  return `done ${id}`;
});

await launch(ctx); // on the second run, this recovers the workflow the kill interrupted
const handle = await runWorkflow(ctx, twoSteps, workflowID, { workflowID });
console.log(`result: ${await handle.getResult()}`);
await shutdown(ctx);
