// The client process of client-check.mjs: no workflow code, no launch; it enqueues `checkout`
// by name on the worker's queue and prints the result and the workflow's status (retrieveWorkflow).
//   node client-enqueue.mjs <system database url>
import { randomUUID } from "node:crypto";
import { createClient, enqueueWorkflow, retrieveWorkflow, shutdown } from "@durably/core";

const [url] = process.argv.slice(2);
if (!url) throw new Error("usage: node client-enqueue.mjs <system database url>");
const client = await createClient({ systemDatabaseUrl: url, appName: "installed-client" });
try {
  const workflowID = `order-42-${randomUUID()}`;
  const handle = await enqueueWorkflow(client, "checkout", "order-42", { queue: "installed-orders", workflowID });
  console.log(`result: ${await handle.getResult()}`);
  const status = await (await retrieveWorkflow(client, workflowID)).getStatus();
  console.log(`status: ${status?.status} queue: ${status?.queueName}`);
} finally {
  await shutdown(client);
}
