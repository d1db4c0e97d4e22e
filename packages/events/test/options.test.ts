// Every public options object is checked before anything runs: unknown keys, types, ranges and
// combinations fail with INVALID_ARGUMENT naming the option (JavaScript callers get no type check).
import { createDBOSContext, registerWorkflow } from "@durably/core";
import { describe, expect, test } from "vitest";
import {
  type EventSource,
  kafkaSource,
  natsJetStreamSource,
  rabbitMqSource,
  receiveEvents,
  redisStreamSource,
} from "../src/index.js";

const dbos = createDBOSContext({ appName: "events-options", systemDatabaseUrl: "postgres://127.0.0.1:1/none" });
const workflow = registerWorkflow(dbos, async () => undefined, { name: "noop" });
const source: EventSource = { name: "fake", fetch: async () => [], close: async () => undefined };
const invalid = (message: RegExp) =>
  expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(message) });

describe("receiveEvents", () => {
  test.each([
    [{}, /option workflow is required/],
    [{ workflow, batchsize: 10 }, /unknown option batchsize.*batchSize/],
    [{ workflow, batchSize: 0 }, /batchSize/],
    [{ workflow, batchSize: 1.5 }, /batchSize/],
    [{ workflow, maxDeliveries: -1 }, /maxDeliveries/],
    [{ workflow, decode: "json" }, /decode/],
    [{ workflow, queue: "" }, /queue/],
    [{ workflow, partitionKey: () => "k" }, /partitionKey needs a \(partitioned\) queue/],
    [{ workflow, orderKey: () => "k" }, /orderKey applies with orderByKey: true/],
    [{ workflow: "noop" }, /workflow must be the value registerWorkflow returned/],
  ])("%j is refused", async (options, message) => {
    await expect(receiveEvents(dbos, source, options as never)).rejects.toEqual(invalid(message));
  });

  test("a source that is not an EventSource is refused", async () => {
    await expect(receiveEvents(dbos, {} as EventSource, { workflow })).rejects.toEqual(
      invalid(/must be an EventSource/),
    );
  });

  test("before launch it refuses to receive", async () => {
    await expect(receiveEvents(dbos, source, { workflow })).rejects.toMatchObject({ code: "LIFECYCLE" });
  });
});

describe("the adapters", () => {
  test("redisStreamSource checks its options", () => {
    expect(() => redisStreamSource({ stream: "s", group: "g" } as never)).toThrow(/option client is required/);
    expect(() => redisStreamSource({ client: {}, stream: "s", group: "g" } as never)).toThrow(/ioredis client/);
    expect(() => redisStreamSource({ client: {}, stream: "s", group: "g", claimIdleMs: 0 } as never)).toThrow(
      /claimIdleMs/,
    );
  });

  test("natsJetStreamSource needs a dead-letter subject and a connection", () => {
    const connection = { request: () => undefined };
    expect(() => natsJetStreamSource({ connection, stream: "S", consumer: "c" } as never)).toThrow(
      /option deadLetterSubject is required/,
    );
    expect(() =>
      natsJetStreamSource({ connection: {}, stream: "S", consumer: "c", deadLetterSubject: "d" } as never),
    ).toThrow(/NATS connection/);
    // JetStream refuses a fetch that waits under a second, on every fetch: refused here, at construction.
    expect(() =>
      natsJetStreamSource({
        connection,
        stream: "S",
        consumer: "c",
        deadLetterSubject: "d",
        fetchWaitMs: 200,
      } as never),
    ).toThrow(/natsJetStreamSource: fetchWaitMs must be an integer from 1000 to 60000, got 200/);
  });

  test("rabbitMqSource checks its options", () => {
    expect(() => rabbitMqSource({ url: "amqp://x", queue: "q", prefetch: 0 })).toThrow(/prefetch/);
    expect(() => rabbitMqSource({ url: "amqp://x" } as never)).toThrow(/option queue is required/);
    expect(() => rabbitMqSource({ url: "amqp://x", queue: "q", deadletterQueue: "d" } as never)).toThrow(
      /unknown option deadletterQueue/,
    );
  });

  test("kafkaSource checks its options (its adapter is untested here: no Kafka server in CI)", () => {
    const consumer = { run: () => undefined };
    const producer = { send: () => undefined };
    expect(() => kafkaSource({ consumer, producer, topics: ["t"] } as never)).toThrow(
      /option deadLetterTopic is required/,
    );
    expect(() => kafkaSource({ consumer, producer, topics: [], deadLetterTopic: "d" } as never)).toThrow(
      /topics needs/,
    );
    expect(() => kafkaSource({ consumer: {}, producer, topics: ["t"], deadLetterTopic: "d" } as never)).toThrow(
      /kafkajs/,
    );
  });
});
