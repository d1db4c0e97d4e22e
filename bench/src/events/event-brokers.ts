// The brokers of `pnpm bench:events`: a run's own stream or queue on each, a burst publisher, and
// an @durably/events source on it (the same adapters users get).
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect as natsConnect } from "@nats-io/transport-node";
import amqp from "amqplib";
import { type EventSource, natsJetStreamSource, rabbitMqSource, redisStreamSource } from "@durably/events";
import { Redis } from "ioredis";

export type BrokerKind = "redis" | "nats" | "rabbitmq";
export const brokerKinds: readonly BrokerKind[] = ["redis", "nats", "rabbitmq"];

/** One run's place on a broker: made, published to, consumed through a source, removed. */
export interface BenchBroker {
  publish(bodies: readonly string[]): Promise<void>;
  openSource(): Promise<EventSource>;
  remove(): Promise<void>;
}

export async function openBenchBroker(kind: BrokerKind, run: string): Promise<BenchBroker> {
  if (kind === "redis") {
    const admin = new Redis({ host: "127.0.0.1", port: 6379 });
    const stream = `durably-bench:${run}`;
    let client: Redis | undefined;
    return {
      async publish(bodies) {
        for (let i = 0; i < bodies.length; i += 200) {
          const pipeline = admin.pipeline();
          for (const body of bodies.slice(i, i + 200)) pipeline.xadd(stream, "*", "data", body);
          await pipeline.exec();
        }
      },
      async openSource() {
        client = new Redis({ host: "127.0.0.1", port: 6379 });
        return redisStreamSource({ client, stream, group: "bench", consumer: "c1", blockMs: 200 });
      },
      async remove() {
        client?.disconnect();
        await admin.del(stream, `${stream}:dead-letter`);
        admin.disconnect();
      },
    };
  }
  if (kind === "nats") {
    const nc = await natsConnect({ servers: "127.0.0.1:4222" });
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    const stream = `BENCH_${run}`;
    await jsm.streams.add({ name: stream, subjects: [`${run}.in`] });
    await jsm.streams.add({ name: `${stream}_DEAD`, subjects: [`${run}.dead`] });
    await jsm.consumers.add(stream, { durable_name: "bench", ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
    return {
      async publish(bodies) {
        for (let i = 0; i < bodies.length; i += 200) {
          await Promise.all(bodies.slice(i, i + 200).map((body) => js.publish(`${run}.in`, body)));
        }
      },
      async openSource() {
        return natsJetStreamSource({ connection: nc, stream, consumer: "bench", deadLetterSubject: `${run}.dead` });
      },
      async remove() {
        await jsm.streams.delete(stream).catch(() => undefined);
        await jsm.streams.delete(`${stream}_DEAD`).catch(() => undefined);
        await nc.close();
      },
    };
  }
  const url = "amqp://guest:guest@127.0.0.1:5672";
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  const queue = `durably-bench.${run}`;
  await ch.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "quorum" } });
  let n = 0;
  return {
    async publish(bodies) {
      for (const body of bodies) ch.sendToQueue(queue, Buffer.from(body), { messageId: `m${n++}`, persistent: true });
      await ch.waitForConfirms();
    },
    async openSource() {
      return rabbitMqSource({ url, queue });
    },
    async remove() {
      await ch.deleteQueue(queue);
      await ch.deleteQueue(`${queue}.dead-letter`);
      await conn.close();
    },
  };
}
