// @durably/events with Redis Streams as the README shows it, from plain JavaScript with the user's
// ioredis (the package's peer, installed from npm): an entry added to a stream starts one workflow,
// under the entry's identity, with the entry's data as input, and the entry is acked. Prints a SKIP
// line with the reason, and exits 0, when Redis does not answer.
//   node events-redis.mjs <system database url> <redis url>
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { createDBOSContext, launch, registerWorkflow, retrieveWorkflow, runAsStep, shutdown } from "@durably/core";
import { receiveEvents, redisStreamSource } from "@durably/events";
import { check, deadline, skip, waitFor } from "./report.mjs";

const [url, redisUrl] = process.argv.slice(2);
if (!url || !redisUrl) throw new Error("usage: node events-redis.mjs <system database url> <redis url>");
deadline(30_000, "@durably/events with Redis Streams");

// One try, bounded: a Redis that does not answer skips the check instead of retrying for ever.
let lastError;
const connect = () =>
  new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2_000, retryStrategy: () => null }).on(
    "error",
    (error) => (lastError = error),
  );
const redis = connect();
try {
  await redis.connect();
  await redis.ping();
} catch (error) {
  skip("@durably/events with Redis Streams", `Redis does not answer at ${redisUrl} (${(lastError ?? error)?.message})`);
  redis.disconnect();
  process.exit(0);
}

const stream = `installed-orders-${randomUUID()}`;
const dbos = createDBOSContext({ appName: "installed-events", systemDatabaseUrl: url });
const processed = [];
const processOrder = registerWorkflow(
  dbos,
  async (ctx, order) => runAsStep(ctx, async () => processed.push(order), { name: "charge" }),
  { name: "processOrder" },
);
await launch(dbos);
// XREADGROUP blocks its connection: the source gets a client of its own.
const reader = connect();
let receiver;
try {
  const source = redisStreamSource({ client: reader, stream, group: "workers", blockMs: 200 });
  receiver = await receiveEvents(dbos, source, { workflow: processOrder });
  const entryID = await redis.xadd(stream, "*", "data", JSON.stringify({ id: "o-1", total: 42 }));
  const workflowID = `redis:${stream}:${entryID}`;
  await waitFor(
    () => receiver.acked,
    (acked) => acked >= 1,
    15_000,
  );
  const status = await waitFor(
    async () => (await (await retrieveWorkflow(dbos, workflowID)).getStatus())?.status,
    (s) => s === "SUCCESS",
    10_000,
  );
  check(
    status === "SUCCESS" && processed.length === 1 && processed[0].id === "o-1" && processed[0].total === 42,
    "@durably/events: a Redis Streams entry starts one workflow, under the entry's ID, with its data as input",
    JSON.stringify({ workflowID, status, processed }),
  );
  const [pending] = await redis.xpending(stream, "workers");
  check(
    receiver.acked === 1 && pending === 0,
    "@durably/events: the entry is acked once its workflow started",
    `acked ${receiver.acked}, pending ${pending}`,
  );
} finally {
  await receiver?.stop();
  await shutdown(dbos);
  await redis.del(stream).catch(() => undefined);
  reader.disconnect();
  redis.disconnect();
}
