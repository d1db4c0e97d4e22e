// A producer process for the debounce tests: enqueues one burst's inputs through a client and
// prints the workflow ID each enqueue returned, one line each, then exits.
import { createClient, enqueueWorkflow, shutdown } from "@durably/core";

const [url, key, count, tag, periodMs] = process.argv.slice(2);
const client = await createClient({ appName: "debounce-test", systemDatabaseUrl: url });
process.stdout.write("ready\n");
for (let i = 0; i < Number(count); i++) {
  const handle = await enqueueWorkflow(client, "collect", `${tag}-${i}`, {
    queue: "bursts",
    debounce: { key, periodMs: Number(periodMs) },
  });
  process.stdout.write(`id ${handle.workflowID}\n`);
}
await shutdown(client);
