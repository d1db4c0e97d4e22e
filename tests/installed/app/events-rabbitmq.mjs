// @durably/events with RabbitMQ as the README shows it, from plain JavaScript with the user's
// amqplib (the package's peer, installed from npm): a message published with a messageId to a quorum
// queue starts one workflow under `rabbitmq:<queue>:<messageId>` and is acked. Prints a SKIP line
// with the reason, and exits 0, when RabbitMQ does not answer.
//   node events-rabbitmq.mjs <system database url> <amqp url>
import { randomUUID } from "node:crypto";
import amqp from "amqplib";
import { rabbitMqSource } from "@durably/events";
import { receiveOneEvent } from "./receive-one-event.mjs";
import { deadline, skip } from "./report.mjs";

const [url, amqpUrl] = process.argv.slice(2);
if (!url || !amqpUrl) throw new Error("usage: node events-rabbitmq.mjs <system database url> <amqp url>");
deadline(30_000, "@durably/events with RabbitMQ");

let admin;
try {
  admin = await amqp.connect(amqpUrl, { timeout: 2_000 });
} catch (error) {
  skip("@durably/events with RabbitMQ", `RabbitMQ does not answer at ${amqpUrl} (${error.message})`);
  process.exit(0);
}
const queue = `installed-orders-${randomUUID()}`;
const ch = await admin.createConfirmChannel();
let source;
try {
  await ch.assertQueue(queue, { durable: true, arguments: { "x-queue-type": "quorum" } });
  source = rabbitMqSource({ url: amqpUrl, queue, fetchWaitMs: 200 });
  await receiveOneEvent(url, "RabbitMQ", source, async () => {
    ch.sendToQueue(queue, Buffer.from(JSON.stringify({ id: "o-1", total: 42 })), {
      messageId: "o-1",
      persistent: true,
    });
    await ch.waitForConfirms();
    return `rabbitmq:${queue}:o-1`;
  });
  const { messageCount } = await ch.checkQueue(queue);
  if (messageCount !== 0) throw new Error(`${messageCount} messages left in ${queue}`);
} finally {
  await ch.deleteQueue(queue).catch(() => undefined);
  await ch.deleteQueue(`${queue}.dead-letter`).catch(() => undefined);
  await admin.close();
}
