// The three brokers the tests run against, behind one face: whether it answers, its own streams or
// queues for one run, publishing, what is left unacked, the dead letters, and a source on it.
import { Socket } from "node:net";
import type { EventSource } from "../../src/index.js";

export type BrokerKind = "redis" | "nats" | "rabbitmq";

/** The names one test run uses on a broker (unique per run, so runs never collide). */
export interface RunNames {
  readonly kind: BrokerKind;
  readonly run: string;
}

export interface TestMessage {
  readonly n: number;
  readonly key: string;
  /** The body as published: JSON of { n, key, pad }, or anything for a poison message. */
  readonly body: string;
}

export interface SourceSettings {
  /** Redis: XAUTOCLAIM idle; NATS: the consumer's ack_wait (set at setup). */
  readonly claimIdleMs?: number;
  readonly consumer?: string;
}

export const brokerPorts: Record<BrokerKind, number> = { redis: 6379, nats: 4222, rabbitmq: 5672 };

/** Why the broker cannot be used here (undefined: it answers on its port). */
export async function brokerUnreachable(kind: BrokerKind): Promise<string | undefined> {
  const port = brokerPorts[kind];
  const socket = new Socket();
  const answered = await new Promise<boolean>((resolve) => {
    socket.setTimeout(2_000);
    socket.once("connect", () => resolve(true));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  }).finally(() => socket.destroy());
  return answered ? undefined : `${kind} does not answer on 127.0.0.1:${port} (.ci/run starts it)`;
}

export function runNames(kind: BrokerKind, label: string): RunNames {
  return { kind, run: `dt${label}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}` };
}

export const natsStream = (n: RunNames) => `DT_${n.run}`;
export const natsSubject = (n: RunNames, key: string) => `${n.run}.in.${key}`;
export const natsDeadLetterSubject = (n: RunNames) => `${n.run}.dead`;
export const redisStream = (n: RunNames) => `durably-test:${n.run}`;
export const rabbitQueue = (n: RunNames) => `durably-test.${n.run}`;

/** Creates the run's stream and consumer (NATS: ack_wait = claimIdleMs), queue, or group. */
export async function setUpRun(n: RunNames, port: number, claimIdleMs = 30_000): Promise<void> {
  if (n.kind === "nats") {
    const { nc, jsm } = await natsAdmin(port);
    try {
      await jsm.streams.add({ name: natsStream(n), subjects: [`${n.run}.in.>`] });
      await jsm.streams.add({ name: `${natsStream(n)}_DEAD`, subjects: [natsDeadLetterSubject(n)] });
      const { AckPolicy } = await import("@nats-io/jetstream");
      await jsm.consumers.add(natsStream(n), {
        durable_name: "workers",
        ack_policy: AckPolicy.Explicit,
        ack_wait: claimIdleMs * 1_000_000,
        max_ack_pending: 10_000,
      });
    } finally {
      await nc.close();
    }
  } else if (n.kind === "rabbitmq") {
    await withRabbit(port, async (ch) => {
      await ch.assertQueue(rabbitQueue(n), { durable: true, arguments: { "x-queue-type": "quorum" } });
      await ch.assertQueue(`${rabbitQueue(n)}.dead-letter`, { durable: true });
    });
  }
  // Redis: the source creates its group (and the stream) itself.
}

export async function publish(n: RunNames, port: number, messages: readonly TestMessage[]): Promise<void> {
  if (n.kind === "redis") {
    const redis = await redisClient(port);
    try {
      for (let i = 0; i < messages.length; i += 500) {
        const pipeline = redis.pipeline();
        for (const m of messages.slice(i, i + 500)) pipeline.xadd(redisStream(n), "*", "data", m.body, "key", m.key);
        await pipeline.exec();
      }
    } finally {
      redis.disconnect();
    }
  } else if (n.kind === "nats") {
    const { nc, js } = await natsAdmin(port);
    try {
      for (let i = 0; i < messages.length; i += 200) {
        await Promise.all(messages.slice(i, i + 200).map((m) => js.publish(natsSubject(n, m.key), m.body)));
      }
    } finally {
      await nc.close();
    }
  } else {
    await withRabbit(port, async (ch) => {
      for (const m of messages) {
        ch.sendToQueue(rabbitQueue(n), Buffer.from(m.body), { messageId: `m${m.n}`, persistent: true });
      }
      await ch.waitForConfirms();
    });
  }
}

/** Messages not yet acked (delivered or not). RabbitMQ counts unacked ones only once no consumer holds them. */
export async function unacked(n: RunNames, port: number): Promise<number> {
  if (n.kind === "redis") {
    const redis = await redisClient(port);
    try {
      const groups = (await redis.xinfo("GROUPS", redisStream(n))) as unknown[][];
      const group = groups.map((g) => toRecord(g)).find((g) => g.name === "workers");
      if (group === undefined) return Number(await redis.xlen(redisStream(n)));
      return Number(group.pending) + Number(group.lag ?? 0);
    } finally {
      redis.disconnect();
    }
  }
  if (n.kind === "nats") {
    const { nc, jsm } = await natsAdmin(port);
    try {
      const info = await jsm.consumers.info(natsStream(n), "workers");
      return info.num_pending + info.num_ack_pending;
    } finally {
      await nc.close();
    }
  }
  return withRabbit(port, async (ch) => (await ch.checkQueue(rabbitQueue(n))).messageCount);
}

/** The dead-lettered messages: their body and reason. */
export async function deadLetters(n: RunNames, port: number): Promise<Array<{ body: string; reason: string }>> {
  if (n.kind === "redis") {
    const redis = await redisClient(port);
    try {
      const entries = await redis.xrange(`${redisStream(n)}:dead-letter`, "-", "+");
      return entries.map(([, flat]) => {
        const f = toRecord(flat);
        return { body: String(f.data), reason: String(f.reason) };
      });
    } finally {
      redis.disconnect();
    }
  }
  if (n.kind === "nats") {
    const { nc, jsm } = await natsAdmin(port);
    try {
      const info = await jsm.streams.info(`${natsStream(n)}_DEAD`);
      const out: Array<{ body: string; reason: string }> = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const m = await jsm.streams.getMessage(`${natsStream(n)}_DEAD`, { seq });
        if (m !== null) out.push({ body: m.string(), reason: m.header.get("Durably-Reason") });
      }
      return out;
    } finally {
      await nc.close();
    }
  }
  return withRabbit(port, async (ch) => {
    const out: Array<{ body: string; reason: string }> = [];
    for (;;) {
      const m = await ch.get(`${rabbitQueue(n)}.dead-letter`, { noAck: true });
      if (m === false) return out;
      out.push({ body: m.content.toString(), reason: String(m.properties.headers?.["x-durably-reason"]) });
    }
  });
}

/** Deletes what setUpRun and the run made. */
export async function tearDownRun(n: RunNames, port: number): Promise<void> {
  if (n.kind === "redis") {
    const redis = await redisClient(port);
    await redis.del(redisStream(n), `${redisStream(n)}:dead-letter`).finally(() => redis.disconnect());
  } else if (n.kind === "nats") {
    const { nc, jsm } = await natsAdmin(port);
    try {
      await jsm.streams.delete(natsStream(n)).catch(() => undefined);
      await jsm.streams.delete(`${natsStream(n)}_DEAD`).catch(() => undefined);
    } finally {
      await nc.close();
    }
  } else {
    await withRabbit(port, async (ch) => {
      await ch.deleteQueue(rabbitQueue(n));
      await ch.deleteQueue(`${rabbitQueue(n)}.dead-letter`);
    });
  }
}

/** A source on the run's stream or queue through `port` (a proxy's, or the broker's own); close() closes its client. */
export async function openSource(n: RunNames, port: number, settings: SourceSettings = {}): Promise<EventSource> {
  const events = await import("../../src/index.js");
  const consumer = settings.consumer ?? "test";
  if (n.kind === "redis") {
    const { Redis } = await import("ioredis");
    const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 2 });
    client.on("error", () => undefined);
    await client.connect();
    const source = events.redisStreamSource({
      client,
      stream: redisStream(n),
      group: "workers",
      consumer,
      claimIdleMs: settings.claimIdleMs ?? 30_000,
      blockMs: 500,
    });
    return closing(source, async () => client.disconnect());
  }
  if (n.kind === "nats") {
    const { connect } = await import("@nats-io/transport-node");
    const nc = await connect({
      servers: `127.0.0.1:${port}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 200,
      name: consumer,
    });
    const source = events.natsJetStreamSource({
      connection: nc,
      stream: natsStream(n),
      consumer: "workers",
      deadLetterSubject: natsDeadLetterSubject(n),
    });
    return closing(source, () => nc.close());
  }
  return events.rabbitMqSource({ url: `amqp://guest:guest@127.0.0.1:${port}`, queue: rabbitQueue(n) });
}

function closing(source: EventSource, after: () => Promise<void>): EventSource {
  return {
    name: source.name,
    fetch: (max, signal) => source.fetch(max, signal),
    close: async () => {
      await source.close();
      await after();
    },
  };
}

async function redisClient(port: number) {
  const { Redis } = await import("ioredis");
  return new Redis({ host: "127.0.0.1", port });
}

async function natsAdmin(port: number) {
  const { connect } = await import("@nats-io/transport-node");
  const { jetstream, jetstreamManager } = await import("@nats-io/jetstream");
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

async function withRabbit<T>(port: number, fn: (ch: import("amqplib").ConfirmChannel) => Promise<T>): Promise<T> {
  const amqp = await import("amqplib");
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  try {
    return await fn(await conn.createConfirmChannel());
  } finally {
    await conn.close();
  }
}

function toRecord(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}
