// core's createClient from a second node process, as the README shows it: this process is the
// worker (a queue and a workflow, launched); client-enqueue.mjs, run as its own process, creates a
// client, enqueues the workflow by name on the queue and waits for its result.
//   node client-check.mjs <system database url>
import { spawn } from "node:child_process";
import { createDBOSContext, launch, registerWorkflow, runAsStep, shutdown } from "@durably/core";
import { registerQueue } from "@durably/queues";
import { check, deadline } from "./report.mjs";

const [url] = process.argv.slice(2);
if (!url) throw new Error("usage: node client-check.mjs <system database url>");
deadline(40_000, "createClient from another process");

const dbos = createDBOSContext({ appName: "installed-client", systemDatabaseUrl: url });
registerWorkflow(
  dbos,
  async (ctx, orderID) => runAsStep(ctx, async () => `checked out ${orderID} in ${process.pid}`, { name: "charge" }),
  { name: "checkout" },
);
await registerQueue(dbos, "installed-orders");
await launch(dbos);
try {
  const client = spawn(process.execPath, ["client-enqueue.mjs", url], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  client.stdout.on("data", (d) => (output += d));
  client.stderr.on("data", (d) => (output += d));
  const timer = setTimeout(() => client.kill("SIGKILL"), 30_000);
  const code = await new Promise((resolve) => client.once("exit", (c, signal) => resolve(c ?? signal)));
  clearTimeout(timer);
  check(
    code === 0 && output.includes(`result: checked out order-42 in ${process.pid}`),
    "@durably/core: createClient in another process enqueues a workflow by name and gets the worker's result",
    `the client exited with ${code}:\n${output}`,
  );
  check(
    output.includes("status: SUCCESS queue: installed-orders"),
    "@durably/core: the client reads the workflow's status (retrieveWorkflow)",
    output,
  );
} finally {
  await shutdown(dbos);
}
