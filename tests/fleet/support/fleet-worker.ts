// A fleet worker process: one durably executor with short lease settings that runs the chaos
// workflow (steps logged to an effect log outside the database) when the test asks. It never calls
// recoverPendingWorkflows: whatever it runs of another process's, it adopted by itself.
import {
  createDBOSContext,
  getWorkflowID,
  launch,
  registerWorkflow,
  runWorkflow,
  shutdown,
  type Logger,
} from "@durably/core";
import { registerQueue } from "@durably/queues";
import { send as notify } from "@durably/notifications";
import { createChaosWorkflow, echoTopic } from "../../chaos/support/chaos-workflow.js";
import { EffectLog } from "../../chaos/support/effect-log.js";
import type { FleetWorkerConfig, TestMessage, WorkerMessage } from "./fleet-messages.js";

const config = JSON.parse(process.env.FLEET_WORKER ?? "null") as FleetWorkerConfig | null;
if (config === null) throw new Error("FLEET_WORKER is not set: this script is started by the fleet tests");

const send = (message: WorkerMessage) => {
  if (process.connected) process.send!(message, undefined, {}, () => undefined);
};

/** Writes a JSON line to stderr (the test's log file) and forwards it to the test. */
function log(level: string, msg: string, fields: Record<string, unknown> = {}): void {
  const plain = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? { name: v.name, message: v.message } : v]),
  );
  const t = Date.now();
  process.stderr.write(`${JSON.stringify({ t, level, msg, pid: process.pid, ...plain })}\n`);
  send({ type: "log", t, level, msg, fields: plain });
}

process.on("unhandledRejection", (reason) => {
  log("fatal", "unhandled rejection", { error: reason, stack: reason instanceof Error ? reason.stack : undefined });
  process.exit(70);
});
// The test is gone (it failed or was killed): do not outlive it.
process.on("disconnect", () => process.exit(0));
// A bound on the worker's life whatever the test does.
setTimeout(() => process.exit(71), 180_000).unref();

const logger: Logger = {
  debug: () => undefined,
  info: (msg, fields) => log("info", msg, fields),
  warn: (msg, fields) => log("warn", msg, fields),
  error: (msg, fields) => log("error", msg, fields),
};
const effects = new EffectLog(config.effectsPath);
const dbos = createDBOSContext({
  appName: "fleet",
  systemDatabaseUrl: config.databaseUrl,
  ...(config.executorID === undefined ? {} : { executorId: config.executorID }),
  applicationVersion: "fleet-1",
  serializer: "portable_json",
  poolSize: 4,
  pollIntervalMs: 200,
  leaseRenewMs: config.leaseRenewMs,
  leaseLapseMs: config.leaseLapseMs,
  logger,
});
/** The workflows whose function is running in this process now (a stopped run's function throws and leaves). */
const running = new Set<string>();
function tracked(workflow: ReturnType<typeof createChaosWorkflow>): ReturnType<typeof createChaosWorkflow> {
  return async (ctx, input) => {
    const id = getWorkflowID(ctx);
    running.add(id);
    try {
      return await workflow(ctx, input);
    } finally {
      running.delete(id);
    }
  };
}
const chaosWorkflow = registerWorkflow(dbos, tracked(createChaosWorkflow(effects)), { name: "chaosWorkflow" });
const gatedWorkflow = registerWorkflow(dbos, tracked(createChaosWorkflow(effects, { selfEcho: false })), {
  name: "gatedWorkflow",
});
const serveQueue = async () => {
  await registerQueue(dbos, config.queue!.name, { concurrency: config.queue!.concurrency, pollingIntervalSec: 0.2 });
};
if (config.queue?.serveAtLaunch === true) await serveQueue();

process.on("message", (message: TestMessage) => {
  if (message.type === "start") {
    const workflow = message.gated === true ? gatedWorkflow : chaosWorkflow;
    for (const { id, input } of message.workflows) {
      const queue = message.queue === undefined ? {} : { queue: message.queue };
      runWorkflow(dbos, workflow, input, { workflowID: id, ...queue }).then(
        () => send({ type: "started", id }),
        (error: unknown) => send({ type: "start-failed", id, error: String(error) }),
      );
    }
  } else if (message.type === "active") {
    send({ type: "active", ids: [...running] });
  } else if (message.type === "serve-queue") {
    void serveQueue().then(() => send({ type: "serving" }));
  } else if (message.type === "send") {
    Promise.all(message.messages.map(({ to, message: text }) => notify(dbos, to, text, { topic: echoTopic }))).then(
      () => send({ type: "sent" }),
      (error: unknown) => send({ type: "sent", error: String(error) }),
    );
  } else if (message.type === "shutdown") {
    void shutdown(dbos, { drainMs: message.drainMs }).then(() => {
      send({ type: "shut-down", at: Date.now() });
      effects.close();
      // Let the IPC message go out before exiting.
      setTimeout(() => process.exit(0), 100);
    });
  }
});

const started = Date.now();
await launch(dbos);
send({ type: "launched", ms: Date.now() - started });
