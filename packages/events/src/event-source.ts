// The receiver interface: what an adapter for one broker gives receiveEvents (a message's identity,
// its body, and how to ack, give back, dead-letter or keep it), so the exactly-once rule lives once.

/** One message as the receiver sees it, whatever the broker. */
export interface ReceivedMessage {
  /**
   * The message's identity in its broker, the default workflow ID: e.g. `nats:orders:42` (stream and
   * sequence), `kafka:orders:3:1207` (topic, partition, offset). Undefined when the broker has none
   * (a RabbitMQ message published without a messageId): then the receiver needs a workflowID function.
   */
  readonly id: string | undefined;
  /** The key messages are ordered by when per-key order is asked for (subject, routing key, Kafka key). */
  readonly key: string | undefined;
  readonly body: Uint8Array;
  /** The message's headers (Redis: the entry's other fields), as strings. */
  readonly headers: Readonly<Record<string, string>>;
  /** How often the broker delivered it, this time included (1 the first time). */
  readonly deliveryCount: number;
}

/** A message delivered to this receiver and not yet settled. */
export interface Delivery {
  readonly message: ReceivedMessage;
  /** Settles the message: the broker will not deliver it again. */
  ack(): Promise<void>;
  /** Gives the message back unsettled, for a later delivery (its start failed for a passing reason). */
  release(): Promise<void>;
  /** Puts a copy with `reason` on the dead-letter destination, then acks the message. */
  deadLetter(reason: string): Promise<void>;
  /** Tells the broker the message is still being worked on (so its ack deadline does not pass). */
  inProgress(): Promise<void>;
}

/** One broker consumer: a NATS JetStream consumer, a RabbitMQ queue, a Redis consumer group, a Kafka group. */
export interface EventSource {
  /** Shown in logs, e.g. `redis:orders/workers`. */
  readonly name: string;
  /**
   * Up to `max` deliveries; waits a bounded time (about a second) when none is there and returns [].
   * Throws when the broker cannot be reached (the receiver retries after a pause; the adapter reconnects).
   */
  fetch(max: number, signal: AbortSignal): Promise<Delivery[]>;
  /** Closes what the source opened itself (a client passed in by the user stays open). */
  close(): Promise<void>;
}
