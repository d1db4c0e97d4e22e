// @durably/events with Redis Streams as the README shows it, from plain JavaScript with the user's
// ioredis (the package's peer, installed from npm): an entry added to a stream starts one workflow,
// under the entry's identity, with the entry's data as input, and the entry is acked. Prints a SKIP
// line with the reason, and exits 0, when Redis does not answer.
//   node events-redis.mjs <system database url> <redis url>
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { redisStreamSource } from "@durably/events";
import { receiveOneEvent } from "./receive-one-event.mjs";
import { check, deadline, skip } from "./report.mjs";

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
// XREADGROUP blocks its connection: the source gets a client of its own.
const reader = connect();
try {
  const source = redisStreamSource({ client: reader, stream, group: "workers", blockMs: 200 });
  await receiveOneEvent(url, "Redis Streams", source, async () => {
    const entryID = await redis.xadd(stream, "*", "data", JSON.stringify({ id: "o-1", total: 42 }));
    return `redis:${stream}:${entryID}`;
  });
  const [pending] = await redis.xpending(stream, "workers");
  check(pending === 0, "@durably/events: no Redis Streams entry is left pending", `pending ${pending}`);
} finally {
  await redis.del(stream).catch(() => undefined);
  reader.disconnect();
  redis.disconnect();
}
