// Scenario 6: send → recv (from outside to a workflow waiting in recv) and setEvent → getEvent
// (from a workflow to an outside caller waiting in getEvent), each latency measured in process.
import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { percentile } from "../sample-stats.js";
import type { Scenario } from "./scenario.js";

/** How long the benchmark lets a waiter settle into recv/getEvent before the other side acts. */
export const settleMs = 20;
/** A wait on the library longer than this is a hang, reported as one. */
const stuckMs = 15_000;

export const messages: Scenario = async ({ open, sizes }) => {
  let recvWaiting = () => undefined as void;
  let received = () => undefined as void;
  let gate: Promise<void> = Promise.resolve();
  let setAt = 0;
  const library = await open({
    messaging: {
      beforeRecv: () => recvWaiting(),
      afterRecv: () => received(),
      beforeSetEvent: () => gate.then(() => void (setAt = performance.now())),
    },
  });
  await library.launch();
  try {
    // Fresh IDs: the database outlives this process, and an existing ID would not start a new run.
    const run = randomUUID().slice(0, 8);
    const sendToRecv: number[] = [];
    const setToGet: number[] = [];
    for (let i = 0; i < sizes.messagesWarmup + sizes.messages; i++) {
      const measured = i >= sizes.messagesWarmup;

      const waiting = new Promise<void>((resolve) => (recvWaiting = resolve));
      const got = new Promise<number>((resolve) => (received = () => resolve(performance.now())));
      const receiverID = `recv-${run}-${i}`;
      const receiverDone = await library.startReceiver(receiverID);
      await within(waiting, "the receiver to reach recv");
      await delay(settleMs);
      const sentAt = performance.now();
      await library.send(receiverID, i);
      const receivedAt = await within(got, "recv to return the message");
      if (measured) sendToRecv.push(receivedAt - sentAt);
      await receiverDone();

      let open = () => undefined as void;
      gate = new Promise<void>((resolve) => (open = resolve));
      const setterID = `event-${run}-${i}`;
      const setterDone = await library.startEventSetter(setterID, i);
      const value = library.getEvent(setterID);
      await delay(settleMs);
      open();
      const eventValue = await within(value, "getEvent to return");
      if (eventValue !== i) throw new Error(`getEvent returned ${String(eventValue)}, expected ${i}`);
      if (measured) setToGet.push(performance.now() - setAt);
      await setterDone();
    }
    return { metrics: latencyMetrics(sendToRecv, setToGet) };
  } finally {
    await library.shutdown();
  }
};

/** The metrics both messaging scenarios report. */
export function latencyMetrics(sendToRecv: readonly number[], setToGet: readonly number[]): Record<string, number> {
  return {
    sendToRecvP50Ms: percentile(sendToRecv, 50),
    sendToRecvP99Ms: percentile(sendToRecv, 99),
    setEventToGetEventP50Ms: percentile(setToGet, 50),
    setEventToGetEventP99Ms: percentile(setToGet, 99),
    samples: sendToRecv.length,
  };
}

async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${stuckMs} ms for ${what}`)), stuckMs);
  });
  try {
    return await Promise.race([promise, stuck]);
  } finally {
    clearTimeout(timer);
  }
}
