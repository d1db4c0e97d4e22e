// The NATS JetStream adapter (@nats-io/jetstream): a durable pull consumer fetched in batches, acked
// with a confirmed ack (ackAck), and a dead-letter subject that gets a poison message with its reason.
import { checkOptions, DurablyError } from "@durably/sysdb";
import type { Consumer, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Delivery, EventSource, ReceivedMessage } from "./event-source.js";

export interface NatsJetStreamSourceOptions {
  /** An open connection (from @nats-io/transport-node's connect); it stays open after the source closes. Required. */
  readonly connection: NatsConnection;
  /** The stream's name. Required. */
  readonly stream: string;
  /** A durable pull consumer of the stream, with explicit acks; every receiver process shares it. Required. */
  readonly consumer: string;
  /**
   * The subject a poison message is published to (a stream must capture it), with headers Durably-Reason,
   * Durably-Stream, Durably-Sequence and Durably-Subject (where it came from). Required: JetStream has no
   * dead-letter place of its own.
   */
  readonly deadLetterSubject: string;
  /** How long one fetch waits for messages. Default 1,000 ms, also the least JetStream accepts. */
  readonly fetchWaitMs?: number;
  /** How long a message given back waits before its redelivery. Default 1,000 ms. */
  readonly redeliveryDelayMs?: number;
}

const rules = {
  connection: { type: "any", required: true },
  stream: { type: "string", required: true, nonEmpty: true },
  consumer: { type: "string", required: true, nonEmpty: true },
  deadLetterSubject: { type: "string", required: true, nonEmpty: true },
  // A pull's `expires`: @nats-io/jetstream refuses one under 1,000 ms, on every fetch, not at construction.
  fetchWaitMs: { type: "number", integer: true, min: 1_000, max: 60_000 },
  redeliveryDelayMs: { type: "number", integer: true, min: 0 },
} as const;

/**
 * A NATS JetStream source for receiveEvents. A message's identity is `nats:<stream>:<stream sequence>`,
 * its key its subject.
 *
 * @example
 * const nc = await connect({ servers: "127.0.0.1:4222" });
 * const source = natsJetStreamSource({ connection: nc, stream: "ORDERS", consumer: "workers", deadLetterSubject: "orders.dead" });
 * await receiveEvents(dbos, source, { workflow: processOrder });
 */
export function natsJetStreamSource(options: NatsJetStreamSourceOptions): EventSource {
  checkOptions("natsJetStreamSource", options, rules);
  if (typeof options.connection?.request !== "function")
    throw new DurablyError(
      "INVALID_ARGUMENT",
      "natsJetStreamSource: connection must be a NATS connection (connect()).",
    );
  return new NatsJetStreamSource(options);
}

class NatsJetStreamSource implements EventSource {
  readonly name: string;
  readonly #options: NatsJetStreamSourceOptions;
  #js: JetStreamClient | undefined;
  #consumer: Consumer | undefined;
  #headers: (() => import("@nats-io/transport-node").MsgHdrs) | undefined;

  constructor(options: NatsJetStreamSourceOptions) {
    this.#options = options;
    this.name = `nats:${options.stream}/${options.consumer}`;
  }

  async fetch(max: number, signal: AbortSignal): Promise<Delivery[]> {
    if (this.#consumer === undefined) {
      // Imported here, so a user of another broker need not install NATS's packages.
      const { jetstream } = await import("@nats-io/jetstream");
      this.#headers = (await import("@nats-io/transport-node")).headers;
      this.#js = jetstream(this.#options.connection);
      this.#consumer = await this.#js.consumers.get(this.#options.stream, this.#options.consumer);
    }
    const messages = await this.#consumer.fetch({ max_messages: max, expires: this.#options.fetchWaitMs ?? 1_000 });
    const stop = () => void messages.stop();
    signal.addEventListener("abort", stop, { once: true });
    const deliveries: Delivery[] = [];
    try {
      for await (const m of messages) deliveries.push(this.#delivery(m));
    } finally {
      signal.removeEventListener("abort", stop);
    }
    return deliveries;
  }

  #delivery(m: JsMsg): Delivery {
    const headers: Record<string, string> = {};
    for (const [name, values] of m.headers ?? []) headers[name] = values.join(", ");
    const message: ReceivedMessage = {
      id: `nats:${this.#options.stream}:${m.seq}`,
      key: m.subject,
      body: m.data,
      headers,
      deliveryCount: m.info.deliveryCount,
    };
    return {
      message,
      ack: async () => {
        if (!(await m.ackAck())) throw new Error(`the ack of ${message.id} was not confirmed`);
      },
      release: async () => m.nak(this.#options.redeliveryDelayMs ?? 1_000),
      deadLetter: async (reason) => {
        const h = this.#headers!();
        for (const [name, values] of m.headers ?? []) for (const v of values) h.append(name, v);
        h.set("Durably-Reason", reason.replace(/[\r\n]+/g, " "));
        h.set("Durably-Stream", this.#options.stream);
        h.set("Durably-Sequence", String(m.seq));
        h.set("Durably-Subject", m.subject);
        await this.#js!.publish(this.#options.deadLetterSubject, m.data, { headers: h });
        if (!(await m.ackAck())) throw new Error(`the ack of dead-lettered ${message.id} was not confirmed`);
      },
      inProgress: async () => m.working(),
    };
  }

  async close(): Promise<void> {}
}
