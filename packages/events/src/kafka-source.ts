// The Kafka adapter (kafkajs): a consumer group's batches, each offset committed only once its
// message and every earlier one of the partition were settled. UNTESTED HERE: no Kafka server runs
// in this project's CI; it is type-checked and built, and follows kafkajs's documented eachBatch API.
import { checkOptions, DurablyError } from "@durably/sysdb";
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from "kafkajs";
import type { Delivery, EventSource, ReceivedMessage } from "./event-source.js";

export interface KafkaSourceOptions {
  /** A connected kafkajs consumer of your group (kafka.consumer({ groupId })); this source runs it. Required. */
  readonly consumer: Consumer;
  /** A connected kafkajs producer, for the dead-letter topic. Required. */
  readonly producer: Producer;
  /** The topics to consume. Required. */
  readonly topics: readonly string[];
  /** The topic a poison message is sent to, with headers durably-reason, durably-topic, durably-partition, durably-offset. Required. */
  readonly deadLetterTopic: string;
  /** Start a new group at the topics' beginning (else at their end). Default true. */
  readonly fromBeginning?: boolean;
}

const rules = {
  consumer: { type: "any", required: true },
  producer: { type: "any", required: true },
  topics: { type: "array", required: true, items: { type: "string", nonEmpty: true } },
  deadLetterTopic: { type: "string", required: true, nonEmpty: true },
  fromBeginning: { type: "boolean" },
} as const;

type Settlement = "acked" | "released";

/**
 * A Kafka source for receiveEvents (kafkajs). A message's identity is `kafka:<topic>:<partition>:<offset>`
 * and its key the message key; Kafka orders per partition, so per-key order holds for keyed topics.
 * Kafka counts no redeliveries: `deliveryCount` is always 1. Untested here (no Kafka server in CI).
 *
 * @example
 * const kafka = new Kafka({ brokers: ["127.0.0.1:9092"] });
 * const consumer = kafka.consumer({ groupId: "workers" });
 * const producer = kafka.producer();
 * await Promise.all([consumer.connect(), producer.connect()]);
 * const source = kafkaSource({ consumer, producer, topics: ["orders"], deadLetterTopic: "orders.dead-letter" });
 * await receiveEvents(dbos, source, { workflow: processOrder });
 */
export function kafkaSource(options: KafkaSourceOptions): EventSource {
  checkOptions("kafkaSource", options, rules);
  if (typeof options.consumer?.run !== "function" || typeof options.producer?.send !== "function")
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "kafkaSource: consumer and producer must be kafkajs's (kafka.consumer()).",
    );
  if (options.topics.length === 0) throw new DurablyError("INVALID_ARGUMENT", "kafkaSource: topics needs a topic.");
  return new KafkaSource(options);
}

class KafkaSource implements EventSource {
  readonly name: string;
  readonly #options: KafkaSourceOptions;
  readonly #buffer: Delivery[] = [];
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(options: KafkaSourceOptions) {
    this.#options = options;
    this.name = `kafka:${options.topics.join(",")}`;
  }

  async fetch(max: number, signal: AbortSignal): Promise<Delivery[]> {
    this.#running ??= this.#start();
    await this.#running;
    if (this.#buffer.length === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          this.#wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, 1_000);
        signal.addEventListener("abort", done, { once: true });
        this.#wake = done;
      });
    }
    return this.#buffer.splice(0, max);
  }

  async #start(): Promise<void> {
    const { consumer } = this.#options;
    await consumer.subscribe({ topics: [...this.#options.topics], fromBeginning: this.#options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.#eachBatch(payload),
    });
  }

  /** Hands the batch to the receiver, then commits the settled prefix; a given-back message is fetched again. */
  async #eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const settlements = batch.messages.map(() => {
      let settle!: (s: Settlement) => void;
      const settled = new Promise<Settlement>((resolve) => (settle = resolve));
      return { settled, settle };
    });
    for (const [i, m] of batch.messages.entries()) {
      this.#buffer.push(this.#delivery(batch.topic, batch.partition, m, payload, settlements[i]!.settle));
    }
    this.#wake?.();
    const heartbeat = setInterval(() => void payload.heartbeat().catch(() => undefined), 3_000);
    let results: Settlement[];
    try {
      results = await Promise.all(settlements.map((s) => s.settled));
    } finally {
      clearInterval(heartbeat);
    }
    if (payload.isStale()) return; // the partition moved to another member, which delivers these again
    const firstReleased = results.indexOf("released");
    const settledCount = firstReleased === -1 ? results.length : firstReleased;
    if (settledCount > 0) {
      const last = batch.messages[settledCount - 1]!.offset;
      payload.resolveOffset(last);
      await this.#options.consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
      ]);
    }
    if (firstReleased !== -1) {
      this.#options.consumer.seek({
        topic: batch.topic,
        partition: batch.partition,
        offset: batch.messages[firstReleased]!.offset,
      });
    }
  }

  #delivery(
    topic: string,
    partition: number,
    m: KafkaMessage,
    payload: EachBatchPayload,
    settle: (s: Settlement) => void,
  ): Delivery {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(m.headers ?? {})) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(", ") : String(value);
    }
    const message: ReceivedMessage = {
      id: `kafka:${topic}:${partition}:${m.offset}`,
      key: m.key?.toString("utf8"),
      body: m.value ?? Buffer.alloc(0),
      headers,
      deliveryCount: 1,
    };
    return {
      message,
      ack: async () => settle("acked"),
      release: async () => settle("released"),
      deadLetter: async (reason) => {
        await this.#options.producer.send({
          topic: this.#options.deadLetterTopic,
          messages: [
            {
              key: m.key,
              value: m.value,
              headers: {
                ...m.headers,
                "durably-reason": reason,
                "durably-topic": topic,
                "durably-partition": String(partition),
                "durably-offset": m.offset,
              },
            },
          ],
        });
        settle("acked");
      },
      inProgress: () => payload.heartbeat(),
    };
  }

  async close(): Promise<void> {
    // Messages never handed out go back (so the waiting batch ends), then the run this source started
    // stops; connecting and disconnecting stay the caller's.
    for (const delivery of this.#buffer.splice(0)) await delivery.release();
    if (this.#running !== undefined) await this.#options.consumer.stop();
  }
}
