// What every broker check of @durably/events does, as the README shows it: a worker context with one
// workflow, receiveEvents on the broker's source, one message {"id":"o-1","total":42} published, and
// then: the message starts one workflow, under the identity the source gives it, with the message's
// data as input, and is acked. The broker-specific parts (the source, how to publish) are the caller's.
import { createDBOSContext, launch, registerWorkflow, retrieveWorkflow, runAsStep, shutdown } from "@durably/core";
import { receiveEvents } from "@durably/events";
import { check, waitFor } from "./report.mjs";

/**
 * Runs the check for `broker`: `source` is its event source, `publish()` sends the order and returns
 * the workflow ID the message should start under.
 */
export async function receiveOneEvent(url, broker, source, publish) {
  // One application for every broker: the same workflow code gives the same version, which DBOS lets
  // only one application of a system database use.
  const dbos = createDBOSContext({ appName: "installed-events", systemDatabaseUrl: url });
  const processed = [];
  const processOrder = registerWorkflow(
    dbos,
    async (ctx, order) => runAsStep(ctx, async () => processed.push(order), { name: "charge" }),
    { name: "processOrder" },
  );
  await launch(dbos);
  let receiver;
  try {
    receiver = await receiveEvents(dbos, source, { workflow: processOrder });
    const workflowID = await publish();
    await waitFor(
      () => receiver.acked,
      (acked) => acked >= 1,
      15_000,
    );
    const status = await waitFor(
      async () => (await retrieveWorkflow(dbos, workflowID).catch(() => undefined))?.getStatus().then((w) => w?.status),
      (s) => s === "SUCCESS",
      10_000,
    );
    check(
      status === "SUCCESS" && processed.length === 1 && processed[0].id === "o-1" && processed[0].total === 42,
      `@durably/events: a ${broker} message starts one workflow, under the message's ID, with its data as input`,
      JSON.stringify({ workflowID, status, processed }),
    );
    check(receiver.acked === 1, `@durably/events: the ${broker} message is acked once`, `acked ${receiver.acked}`);
  } finally {
    await receiver?.stop();
    await shutdown(dbos);
  }
}
