// A worker process of the events tests: one durably executor (short leases, so a SIGKILLed peer's
// workflows are adopted within seconds) that receives a run's messages and starts "recordEvent" for
// each. Started by EventsWorkerProcess; "stop" shuts it down gracefully.
import { createDBOSContext, launch, registerWorkflow, runAsStep, shutdown } from "@durably/core";
import { receiveEvents } from "../../src/index.js";
import { openSource, type RunNames } from "./test-broker.js";

export interface EventsWorkerConfig {
  readonly names: RunNames;
  /** The broker's port as this worker sees it (a proxy's). */
  readonly port: number;
  readonly databaseUrl: string;
  readonly executorID: string;
  readonly consumer: string;
  readonly claimIdleMs: number;
}

const config = JSON.parse(process.env.EVENTS_WORKER ?? "null") as EventsWorkerConfig | null;
if (config === null) throw new Error("EVENTS_WORKER is not set: this script is started by the events tests");
const send = (message: object) => {
  if (process.connected) process.send!(message, undefined, {}, () => undefined);
};
const log = (level: string, msg: string, fields: Record<string, unknown> = {}) => {
  const plain = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? `${v.name}: ${v.message}` : v]),
  );
  process.stderr.write(`${JSON.stringify({ t: Date.now(), level, msg, pid: process.pid, ...plain })}\n`);
};
process.on("disconnect", () => process.exit(0));
setTimeout(() => process.exit(71), 240_000).unref();

const dbos = createDBOSContext({
  appName: "events-test",
  systemDatabaseUrl: config.databaseUrl,
  executorId: config.executorID,
  applicationVersion: "events-1",
  serializer: "portable_json",
  poolSize: 6,
  pollIntervalMs: 200,
  leaseRenewMs: 200,
  leaseLapseMs: 1_500,
  logger: {
    debug: () => undefined,
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
  },
});
const recordEvent = registerWorkflow(
  dbos,
  async (ctx, input: { n: number; key: string; pad: string }) => {
    await runAsStep(ctx, async () => input.n, { name: "touch" });
    return input;
  },
  { name: "recordEvent" },
);
await launch(dbos);
const source = await openSource(config.names, config.port, {
  consumer: config.consumer,
  claimIdleMs: config.claimIdleMs,
});
const receiver = await receiveEvents(dbos, source, { workflow: recordEvent, batchSize: 50 });
send({ type: "ready" });
process.on("message", async (message: { type: string }) => {
  if (message.type !== "stop") return;
  await shutdown(dbos, { timeoutMs: 10_000 });
  send({ type: "stopped", acked: receiver.acked, deadLettered: receiver.deadLettered });
  process.exit(0);
});
