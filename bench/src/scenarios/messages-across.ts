// Scenario 6 across processes: the same two latencies as `messages`, with the workflows in a
// second process (`messages-peer`, its own executor ID) and the outside caller in this one. Both
// clocks are the machine's (performance.timeOrigin + now), so a time taken in one process can be
// subtracted from one taken in the other.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { setTimeout as delay } from "node:timers/promises";
import { readyLine, resultPrefix, type WorkerInput } from "../worker-protocol.js";
import { latencyMetrics } from "./messages.js";
import type { Scenario } from "./scenario.js";

const benchDir = fileURLToPath(new URL("../..", import.meta.url));
const workerPath = fileURLToPath(new URL("../worker.ts", import.meta.url));
/** How long the receiver sits in recv before the message is sent, as in `messages`. */
const settleMs = 20;
/** A wait longer than this is a hang, reported as one. */
const stuckMs = 15_000;

const clock = () => performance.timeOrigin + performance.now();

/**
 * The peer: runs the receiver and event-setter workflows on request. Reads `recv <id>` and
 * `event <id> <value>` lines on stdin; prints `waiting <id>`, `got <id> <time>`, `setting <id> <time>`.
 */
export const messagesPeer: Scenario = async ({ open, ready }) => {
  let current = "";
  const library = await open({
    executorId: "messages-peer",
    messaging: {
      beforeRecv: () => console.log(`waiting ${current}`),
      afterRecv: () => console.log(`got ${current} ${clock()}`),
      beforeSetEvent: async () => console.log(`setting ${current} ${clock()}`),
    },
  });
  await library.launch();
  try {
    ready();
    for await (const line of createInterface({ input: process.stdin })) {
      const [command, id, value] = line.split(" ");
      current = id!;
      const done =
        command === "recv" ? await library.startReceiver(id!) : await library.startEventSetter(id!, Number(value));
      await done();
      console.log(`done ${id}`);
    }
  } finally {
    await library.shutdown();
  }
  return { metrics: {} };
};

export const messagesAcross: Scenario = async ({ library: name, open, sizes, url }) => {
  const peer = startPeer(name, { url, sizes });
  const library = await open({ executorId: "messages-caller" });
  await library.launch();
  try {
    await peer.next(readyLine);
    const run = randomUUID().slice(0, 8);
    const sendToRecv: number[] = [];
    const setToGet: number[] = [];
    for (let i = 0; i < sizes.messagesWarmup + sizes.messages; i++) {
      const measured = i >= sizes.messagesWarmup;
      const receiverID = `xrecv-${run}-${i}`;
      peer.send(`recv ${receiverID}`);
      await peer.next(`waiting ${receiverID}`);
      await delay(settleMs);
      const sentAt = clock();
      await library.send(receiverID, i);
      const receivedAt = Number((await peer.next(`got ${receiverID}`)).split(" ")[2]);
      await peer.next(`done ${receiverID}`);
      if (measured) sendToRecv.push(receivedAt - sentAt);

      const setterID = `xevent-${run}-${i}`;
      const value = library.getEvent(setterID);
      await delay(settleMs);
      peer.send(`event ${setterID} ${i}`);
      const setAt = Number((await peer.next(`setting ${setterID}`)).split(" ")[2]);
      const eventValue = await value;
      const gotAt = clock();
      if (eventValue !== i) throw new Error(`getEvent returned ${String(eventValue)}, expected ${i}`);
      await peer.next(`done ${setterID}`);
      if (measured) setToGet.push(gotAt - setAt);
    }
    return { metrics: latencyMetrics(sendToRecv, setToGet) };
  } finally {
    await library.shutdown();
    await peer.stop();
  }
};

interface Peer {
  send(line: string): void;
  /** The next line starting with `prefix` (earlier other lines are skipped). */
  next(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

function startPeer(name: string, input: WorkerInput): Peer {
  const child = spawn(process.execPath, ["--import", "tsx", workerPath, name, "messages-peer", JSON.stringify(input)], {
    cwd: benchDir,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NODE_NO_WARNINGS: "1" },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (stderr = (stderr + chunk).slice(-4000)));
  const lines: string[] = [];
  let wake = () => undefined as void;
  let ended = false;
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    wake();
  });
  const exited = new Promise<void>((resolve) =>
    child.on("close", () => {
      ended = true;
      wake();
      resolve();
    }),
  );
  return {
    send: (line) => void child.stdin.write(`${line}\n`),
    async next(prefix) {
      const deadline = Date.now() + stuckMs;
      for (;;) {
        const at = lines.findIndex((l) => l.startsWith(prefix));
        if (at >= 0) return lines.splice(0, at + 1).at(-1)!;
        if (ended) throw new Error(`the ${name} peer ended before printing "${prefix}"\n${stderr.trim()}`);
        if (Date.now() > deadline) throw new Error(`waited ${stuckMs} ms for the ${name} peer to print "${prefix}"`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    },
    async stop() {
      child.stdin.end();
      const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(killer);
      if (!lines.some((l) => l.startsWith(resultPrefix)) && child.exitCode !== 0) {
        throw new Error(`the ${name} peer did not shut down cleanly\n${stderr.trim()}`);
      }
    },
  };
}
