// @durably/queues as the README shows it, from plain JavaScript: a queue with worker concurrency 2
// drains eight enqueued workflows, never running more than two at once.
//   node queues.mjs <system database url>
import { createDBOSContext, launch, registerWorkflow, runAsStep, runWorkflow, shutdown } from "@durably/core";
import { listQueues, registerQueue } from "@durably/queues";
import { check, deadline } from "./report.mjs";

const [url] = process.argv.slice(2);
if (!url) throw new Error("usage: node queues.mjs <system database url>");
deadline(30_000, "@durably/queues");

const dbos = createDBOSContext({ appName: "installed-queues", systemDatabaseUrl: url });
let running = 0;
let most = 0;
const double = registerWorkflow(dbos, async function double(ctx, n) {
  return runAsStep(
    ctx,
    async () => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 200));
      running--;
      return n * 2;
    },
    { name: "double" },
  );
});
const queue = await registerQueue(dbos, "installed-work", { workerConcurrency: 2 });
await launch(dbos);
try {
  // Enqueued together, so that the queue, not the pace of the enqueues, decides how many run at once.
  const handles = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => runWorkflow(dbos, double, n, { queue })));
  const results = await Promise.all(handles.map((h) => h.getResult()));
  check(
    JSON.stringify(results) === JSON.stringify([2, 4, 6, 8, 10, 12, 14, 16]),
    "@durably/queues: a queue drains 8 enqueued workflows, each with its result",
    JSON.stringify(results),
  );
  check(most === 2, "@durably/queues: workerConcurrency 2 runs two at a time, never more", `at most ${most} at once`);
  const [info] = (await listQueues(dbos)).filter((q) => q.name === queue.name);
  check(
    info?.workerConcurrency === 2,
    "@durably/queues: listQueues reports the queue's settings",
    JSON.stringify(info),
  );
} finally {
  await shutdown(dbos);
}
