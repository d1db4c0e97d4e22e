// @durably/events: one durable workflow per broker message, exactly once.
//
// Its job: receiveEvents starts a workflow per message under an ID taken from the message's broker
// identity (or a key function) and acks the message only after that start committed; adapters for
// NATS JetStream, RabbitMQ, Redis Streams and Kafka give it messages. Broker clients are optional
// peer dependencies: an adapter's client is imported as a type only, and passed in by the user.
// It reaches core only through its public API and @durably/core/extension.
export type { Delivery, EventSource, ReceivedMessage } from "./event-source.js";
export { decodeJson } from "./decode-json.js";
export { receiveEvents, type EventReceiver, type ReceiveEventsOptions } from "./receive-events.js";
export { redisStreamSource, type RedisStreamSourceOptions } from "./redis-stream-source.js";
export { natsJetStreamSource, type NatsJetStreamSourceOptions } from "./nats-jet-stream-source.js";
export { rabbitMqSource, type RabbitMqSourceOptions } from "./rabbit-mq-source.js";
export { kafkaSource, type KafkaSourceOptions } from "./kafka-source.js";
