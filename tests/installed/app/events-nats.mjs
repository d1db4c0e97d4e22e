// @durably/events with NATS JetStream as the README shows it, from plain JavaScript with the user's
// @nats-io packages (the package's peers, installed from npm): a message published to a stream's
// subject starts one workflow under `nats:<stream>:<sequence>` and is acked. Prints a SKIP line with
// the reason, and exits 0, when NATS does not answer.
//   node events-nats.mjs <system database url> <nats server>
import { randomUUID } from "node:crypto";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { natsJetStreamSource } from "@durably/events";
import { receiveOneEvent } from "./receive-one-event.mjs";
import { deadline, skip } from "./report.mjs";

const [url, server] = process.argv.slice(2);
if (!url || !server) throw new Error("usage: node events-nats.mjs <system database url> <nats server>");
deadline(30_000, "@durably/events with NATS JetStream");

let nc;
try {
  // One try, bounded: a NATS that does not answer skips the check instead of retrying for ever.
  nc = await connect({ servers: server, timeout: 2_000, reconnect: false });
} catch (error) {
  skip("@durably/events with NATS JetStream", `NATS does not answer at ${server} (${error.message})`);
  process.exit(0);
}
const name = `INSTALLED_${randomUUID().replaceAll("-", "")}`;
const jsm = await jetstreamManager(nc);
try {
  await jsm.streams.add({ name, subjects: [`${name}.orders.>`] });
  await jsm.streams.add({ name: `${name}_DEAD`, subjects: [`${name}.dead`] });
  await jsm.consumers.add(name, { durable_name: "workers", ack_policy: AckPolicy.Explicit, ack_wait: 30e9 });
  const source = natsJetStreamSource({
    connection: nc,
    stream: name,
    consumer: "workers",
    deadLetterSubject: `${name}.dead`,
  });
  await receiveOneEvent(url, "NATS JetStream", source, async () => {
    const ack = await jetstream(nc).publish(`${name}.orders.o-1`, JSON.stringify({ id: "o-1", total: 42 }));
    return `nats:${name}:${ack.seq}`;
  });
} finally {
  await jsm.streams.delete(name).catch(() => undefined);
  await jsm.streams.delete(`${name}_DEAD`).catch(() => undefined);
  await nc.close();
}
