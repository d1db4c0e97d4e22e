// @durably/notifications between two workflows, from plain JavaScript: the buyer sends the seller a
// message (send/recv), waits for the seller's event (setEvent/getEvent), and reads the stream the
// seller wrote (writeStream/closeStream/readStream); the outside reads the same event and stream.
//   node notifications.mjs <system database url>
import { randomUUID } from "node:crypto";
import { createDBOSContext, launch, registerWorkflow, runAsStep, runWorkflow, shutdown } from "@durably/core";
import { closeStream, getEvent, readStream, recv, send, setEvent, writeStream } from "@durably/notifications";
import { check, deadline } from "./report.mjs";

const [url] = process.argv.slice(2);
if (!url) throw new Error("usage: node notifications.mjs <system database url>");
deadline(30_000, "@durably/notifications");

const dbos = createDBOSContext({ appName: "installed-notifications", systemDatabaseUrl: url });
const readAll = async (workflowID, key) => {
  const values = [];
  for await (const { value } of readStream(dbos, workflowID, key)) values.push(value);
  return values;
};
const seller = registerWorkflow(dbos, async function seller(ctx) {
  const order = await recv(ctx, { topic: "order", timeoutMs: 20_000 });
  await setEvent(ctx, "status", `packed ${order.item}`);
  for (const line of ["picked", "packed", "shipped"]) await writeStream(ctx, "log", line);
  await closeStream(ctx, "log");
  return order;
});
const buyer = registerWorkflow(dbos, async function buyer(ctx, sellerID) {
  await send(ctx, sellerID, { item: "book" }, { topic: "order" });
  const status = await getEvent(ctx, sellerID, "status", { timeoutMs: 20_000 });
  // A stream is read, not checkpointed: the step records what was read.
  const log = await runAsStep(ctx, () => readAll(sellerID, "log"), { name: "read the log" });
  return { status, log };
});
await launch(dbos);
try {
  const sellerID = `seller-${randomUUID()}`;
  const sold = await runWorkflow(dbos, seller, undefined, { workflowID: sellerID });
  const bought = await runWorkflow(dbos, buyer, sellerID);
  const [order, got] = await Promise.all([sold.getResult(), bought.getResult()]);
  check(
    order?.item === "book",
    "@durably/notifications: recv receives the message another workflow sent",
    JSON.stringify(order),
  );
  check(
    got.status === "packed book",
    "@durably/notifications: getEvent in a workflow reads another's setEvent",
    JSON.stringify(got),
  );
  check(
    JSON.stringify(got.log) === '["picked","packed","shipped"]',
    "@durably/notifications: a workflow reads another's stream, in order, to its close",
    JSON.stringify(got.log),
  );
  const outside = await getEvent(dbos, sellerID, "status", { timeoutMs: 0 });
  const log = await readAll(sellerID, "log");
  check(
    outside === "packed book" && log.length === 3,
    "@durably/notifications: the outside reads the same event and stream",
    JSON.stringify({ outside, log }),
  );
} finally {
  await shutdown(dbos);
}
