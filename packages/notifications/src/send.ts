// send: deliver a message to a workflow, exactly once from a workflow, idempotently from outside.
import { randomUUID } from "node:crypto";
import { checkOptions, classifyError, DurablyError } from "@durably/sysdb";
import {
  insertMessage,
  insertMessageForReceiver,
  messagesChannel,
  nullTopic,
  type NewMessage,
} from "@durably/sysdb/queries";
import { runDurableOperation, type DBOSContext, type DurableStep } from "@durably/core";
import { extensionHost, encodeValue, withDatabaseRetry } from "@durably/core/extension";
import { letWaitersRun, waitersOf } from "./waiters.js";

export interface SendOptions {
  /** Messages are received per topic, oldest first. Default: no topic. */
  readonly topic?: string;
  /**
   * Outside a workflow: a retried send with the same key (to the same destination) delivers the
   * message once. Inside a workflow, sends are exactly-once without it.
   */
  readonly idempotencyKey?: string;
}

/**
 * Sends `message` to workflow `destinationID`, which receives it with `recv`. From a workflow it
 * is a checkpointed step (`DBOS.send`): replays never send twice. A missing destination is
 * NONEXISTENT_WORKFLOW.
 *
 * @example
 * await send(dbos, "order-42", { paid: true }, { topic: "payment", idempotencyKey: webhookId });
 */
export async function send(
  ctx: DBOSContext,
  destinationID: string,
  message: unknown,
  options: SendOptions = {},
): Promise<void> {
  if (typeof destinationID !== "string" || destinationID === "")
    throw new DurablyError("INVALID_ARGUMENT", "send needs the destination workflow's ID.");
  checkOptions("send", options, {
    topic: { type: "string", nonEmpty: true },
    idempotencyKey: { type: "string", nonEmpty: true },
  });
  const topic = validTopic(options.topic);
  const host = extensionHost(ctx);
  host.assertRunning("send a message");
  const format = host.serializer;
  const text = encodeValue(message, format, `message to workflow ${destinationID}`, host.maxPayloadBytes);
  await runDurableOperation(ctx, "DBOS.send", async (step) => {
    // Inside a workflow the step names the message, so a replayed send is a no-op. Else a UUID, as
    // DBOS's send and its message_uuid column default make.
    const messageID =
      step !== undefined
        ? `${step.workflowID}::${step.stepID}`
        : options.idempotencyKey !== undefined
          ? `${options.idempotencyKey}::${destinationID}`
          : randomUUID();
    const message = { destinationID, topic, message: text, serialization: format, messageID, now: host.now() };
    // From outside a workflow an observer may store the send's trace context, for the recv's link.
    const observed =
      step === undefined ? host.instrumentation?.messageSend?.({ messageID, destinationID, topic }) : undefined;
    if (observed === undefined) return deliver(ctx, message, text, format);
    try {
      await observed.within(() => deliver(ctx, message, text, format));
      observed.end(undefined, 1);
    } catch (error) {
      observed.end(error, 1);
      throw error;
    }
  });
}

/** Writes `message` (or hands it to a waiting receiver in this process) and wakes its waiters. */
async function deliver(
  ctx: DBOSContext,
  message: NewMessage,
  text: string,
  format: NewMessage["serialization"],
): Promise<void> {
  const host = extensionHost(ctx);
  const { destinationID, topic } = message;
  const waitersKey = `${destinationID}::${topic}`;
  const claim = waitersOf(ctx).claim(messagesChannel, waitersKey);
  const receiver = claim?.taker.step;
  let received = false;
  try {
    if (receiver !== undefined) received = await handToReceiver(ctx, message, receiver);
    if (!received) await storeMessage(ctx, message);
  } catch (error) {
    if (classifyError(error) === "foreign_key_violation") {
      throw new DurablyError(
        "NONEXISTENT_WORKFLOW",
        `Cannot send to workflow ${destinationID}: there is no workflow with that ID.`,
        {
          workflowID: destinationID,
        },
      );
    }
    throw error;
  } finally {
    if (!received) claim?.release();
  }
  if (received) {
    claim!.taker.take({ text, serialization: format });
    await letWaitersRun();
  } else {
    // The table's trigger tells other processes; tell waiters here without the round trip.
    host.notifier.signalLocal(messagesChannel, waitersKey);
  }
}

/**
 * With a receiver of this process waiting in `recv`, one statement both stores the message and
 * receives it at the receiver's step (see insertMessageForReceiver), so the receiver is handed
 * the value without a round trip of its own. False when that was not possible (nothing written):
 * the message is then stored as usual, or found already there (a replayed or retried send).
 */
async function handToReceiver(ctx: DBOSContext, message: NewMessage, receiver: DurableStep): Promise<boolean> {
  const host = extensionHost(ctx);
  return await withDatabaseRetry(
    "send a message",
    () => insertMessageForReceiver(host.sysdb, message, { ...receiver, now: message.now }, "DBOS.recv"),
    { logger: host.logger, signal: host.shutdownSignal },
  );
}

async function storeMessage(ctx: DBOSContext, message: NewMessage): Promise<void> {
  const host = extensionHost(ctx);
  await withDatabaseRetry("send a message", () => insertMessage(host.sysdb, message), {
    logger: host.logger,
    signal: host.shutdownSignal,
  });
}

/** The stored topic: the given one, or DBOS's sentinel for none. */
export function validTopic(topic: string | undefined): string {
  if (topic === undefined) return nullTopic;
  if (typeof topic !== "string" || topic === "")
    throw new DurablyError("INVALID_ARGUMENT", "topic must be a non-empty string (or left out).");
  return topic;
}
