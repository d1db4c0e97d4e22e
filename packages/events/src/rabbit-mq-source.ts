// The RabbitMQ adapter (amqplib): a consumer with manual acks and a prefetch window on a quorum or
// classic queue, reconnecting when the connection drops (the broker requeues what was unacked).
import { checkOptions } from "@durably/sysdb";
import type { ChannelModel, ConfirmChannel, ConsumeMessage, Options } from "amqplib";
import type { Delivery, EventSource, ReceivedMessage } from "./event-source.js";

export interface RabbitMqSourceOptions {
  /** The broker's URL, e.g. `amqp://guest:guest@127.0.0.1:5672`. Required. */
  readonly url: string;
  /** The queue to consume (declared by you: quorum or classic, durable). Required. */
  readonly queue: string;
  /**
   * The queue a poison message is sent to (with headers x-durably-reason and x-durably-queue); declared
   * durable if missing. Default: `<queue>.dead-letter`.
   */
  readonly deadLetterQueue?: string;
  /** Unacked messages the broker sends ahead (basic.qos). Default 200. */
  readonly prefetch?: number;
  /** Socket options for amqplib's connect (TLS and the like). Default: none. */
  readonly socketOptions?: Record<string, unknown>;
  /** How long one fetch waits for messages. Default 1,000 ms. */
  readonly fetchWaitMs?: number;
}

const rules = {
  url: { type: "string", required: true, nonEmpty: true },
  queue: { type: "string", required: true, nonEmpty: true },
  deadLetterQueue: { type: "string", nonEmpty: true },
  prefetch: { type: "number", integer: true, min: 1, max: 65_535 },
  socketOptions: { type: "object" },
  fetchWaitMs: { type: "number", integer: true, min: 10, max: 60_000 },
} as const;

/**
 * A RabbitMQ source for receiveEvents. RabbitMQ numbers no message, so a message's identity is
 * `rabbitmq:<queue>:<messageId>`: publish with a messageId, or give receiveEvents a workflowID function.
 *
 * @example
 * const source = rabbitMqSource({ url: "amqp://guest:guest@127.0.0.1:5672", queue: "orders" });
 * await receiveEvents(dbos, source, { workflow: processOrder });
 */
export function rabbitMqSource(options: RabbitMqSourceOptions): EventSource {
  checkOptions("rabbitMqSource", options, rules);
  return new RabbitMqSource(options);
}

interface Session {
  readonly connection: ChannelModel;
  readonly channel: ConfirmChannel;
  readonly buffer: ConsumeMessage[];
  closed: boolean;
  wake?: () => void;
}

class RabbitMqSource implements EventSource {
  readonly name: string;
  readonly #options: RabbitMqSourceOptions;
  readonly #deadLetterQueue: string;
  #session: Session | undefined;

  constructor(options: RabbitMqSourceOptions) {
    this.#options = options;
    this.#deadLetterQueue = options.deadLetterQueue ?? `${options.queue}.dead-letter`;
    this.name = `rabbitmq:${options.queue}`;
  }

  async #open(): Promise<Session> {
    if (this.#session !== undefined && !this.#session.closed) return this.#session;
    // Imported here, so a user of another broker need not install amqplib.
    const amqp = await import("amqplib");
    const connection = await amqp.connect(this.#options.url, this.#options.socketOptions);
    const session: Session = { connection, channel: undefined as unknown as ConfirmChannel, buffer: [], closed: false };
    const drop = () => {
      // Unacked messages go back to the queue with the connection; the ones held here are forgotten.
      session.closed = true;
      session.buffer.length = 0;
      session.wake?.();
    };
    connection.on("error", () => undefined);
    connection.on("close", drop);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on("error", () => undefined);
      channel.on("close", drop);
      (session as { channel: ConfirmChannel }).channel = channel;
      await channel.assertQueue(this.#deadLetterQueue, { durable: true });
      await channel.prefetch(this.#options.prefetch ?? 200);
      await channel.consume(
        this.#options.queue,
        (m) => {
          if (m === null) return drop(); // the broker cancelled the consumer (queue deleted)
          session.buffer.push(m);
          session.wake?.();
        },
        { noAck: false },
      );
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
    this.#session = session;
    return session;
  }

  async fetch(max: number, signal: AbortSignal): Promise<Delivery[]> {
    const session = await this.#open();
    if (session.buffer.length === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          session.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, this.#options.fetchWaitMs ?? 1_000);
        signal.addEventListener("abort", done, { once: true });
        session.wake = done;
      });
    }
    if (session.closed) throw new Error(`the connection to RabbitMQ (${this.name}) closed`);
    return session.buffer.splice(0, max).map((m) => this.#delivery(session, m));
  }

  #delivery(session: Session, m: ConsumeMessage): Delivery {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(m.properties.headers ?? {})) headers[name] = String(value);
    const returned = Number(m.properties.headers?.["x-delivery-count"] ?? (m.fields.redelivered ? 1 : 0));
    const messageId = m.properties.messageId as string | undefined;
    const message: ReceivedMessage = {
      id: messageId === undefined || messageId === "" ? undefined : `rabbitmq:${this.#options.queue}:${messageId}`,
      key: m.fields.routingKey,
      body: m.content,
      headers,
      deliveryCount: returned + 1,
    };
    const { channel } = session;
    return {
      message,
      ack: async () => channel.ack(m),
      release: async () => channel.nack(m, false, true),
      deadLetter: async (reason) => {
        const options: Options.Publish = {
          ...m.properties,
          headers: { ...m.properties.headers, "x-durably-reason": reason, "x-durably-queue": this.#options.queue },
          persistent: true,
        };
        channel.sendToQueue(this.#deadLetterQueue, m.content, options);
        await channel.waitForConfirms();
        channel.ack(m);
      },
      inProgress: async () => undefined,
    };
  }

  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (session !== undefined && !session.closed) await session.connection.close().catch(() => undefined);
  }
}
