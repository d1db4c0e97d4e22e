// A chaos worker process: one durably executor that runs chaos workflows on the harness's
// request, logs every step to its effect log, and exits non-zero on an unhandled rejection.
// Nobody calls recoverPendingWorkflows: a lost worker's workflows move through its executor lease.
import {
  createDBOSContext,
  isDurablyError,
  launch,
  registerWorkflow,
  runWorkflow,
  shutdown,
  type Logger,
  type WorkflowHandle,
} from "@durably/core";
import { createChaosWorkflow } from "./chaos-workflow.js";
import { EffectLog } from "./effect-log.js";
import type { ChaosInput } from "./result-chain.js";
import { workerExitCodes, type HarnessMessage, type WorkerConfig, type WorkerMessage } from "./worker-messages.js";

const config = JSON.parse(process.env.CHAOS_WORKER ?? "null") as WorkerConfig;
if (config === null) throw new Error("CHAOS_WORKER is not set: this script is started by the chaos harness");

/** One JSON line per event on stderr (a file the harness gave us): written synchronously, so a SIGKILL keeps it. */
function log(level: string, msg: string, fields: Record<string, unknown> = {}): void {
  const line: Record<string, unknown> = { t: Date.now(), level, msg, pid: process.pid, executorID: config.executorID };
  for (const [key, value] of Object.entries(fields)) line[key] = describe(value);
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

function describe(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const { code } = value as { code?: unknown };
  return { name: value.name, message: value.message, code: typeof code === "string" ? code : undefined };
}

const exit = (code: number) => process.exit(code);
process.on("unhandledRejection", (reason) => {
  log("fatal", "unhandled rejection", { error: reason, stack: reason instanceof Error ? reason.stack : undefined });
  exit(workerExitCodes.unhandled);
});
process.on("uncaughtException", (error) => {
  log("fatal", "uncaught exception", { error, stack: error.stack });
  exit(workerExitCodes.unhandled);
});
process.on("disconnect", () => exit(workerExitCodes.harnessGone));
setTimeout(() => exit(workerExitCodes.lifetimeOver), config.maxLifetimeMs).unref();

const send = (message: WorkerMessage) => {
  if (process.connected) process.send!(message, undefined, {}, () => undefined);
};

const logger: Logger = {
  debug: () => undefined,
  info: (msg, fields) => log("info", msg, fields),
  warn: (msg, fields) => log("warn", msg, fields),
  error: (msg, fields) => log("error", msg, fields),
};
const effects = new EffectLog(config.effectsPath, config.clockSkewMs);
const dbos = createDBOSContext({
  appName: "chaos",
  systemDatabaseUrl: config.databaseUrl,
  ...(config.transactionPooler === undefined ? {} : { transactionPooler: config.transactionPooler }),
  ...(config.listenUrl === undefined ? {} : { listenUrl: config.listenUrl }),
  executorId: config.executorID,
  applicationVersion: "chaos-1",
  serializer: "portable_json",
  poolSize: config.poolSize,
  pollIntervalMs: config.pollIntervalMs,
  leaseRenewMs: config.leaseRenewMs,
  leaseLapseMs: config.leaseLapseMs,
  connectTimeoutMs: 5_000,
  logger,
});
const chaosWorkflow = registerWorkflow(dbos, createChaosWorkflow(effects), { name: "chaosWorkflow" });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a workflow and reports its result; a database error while waiting is retried after a pause. */
async function startWorkflow(id: string, input: ChaosInput): Promise<void> {
  let handle: WorkflowHandle<string>;
  try {
    handle = await runWorkflow(dbos, chaosWorkflow, input, { workflowID: id });
  } catch (error) {
    log("warn", "could not start a workflow", { id, error });
    send({ type: "start-failed", id, error: String(error) });
    return;
  }
  send({ type: "started", id });
  for (;;) {
    try {
      send({ type: "result", id, value: await handle.getResult() });
      return;
    } catch (error) {
      if (isDurablyError(error, "LIFECYCLE")) return;
      if (isDurablyError(error) || (error as { code?: unknown }).code === undefined) {
        send({ type: "result-error", id, error: String(error) });
        return;
      }
      // A connection error of the status poll: the workflow goes on, so ask again.
      log("info", "getResult failed; asking again", { id, error });
      await pause(250);
    }
  }
}

async function stop(): Promise<void> {
  setTimeout(() => exit(workerExitCodes.shutdownHung), 20_000).unref();
  await shutdown(dbos, { drainMs: 2_000 });
  effects.close();
  log("info", "worker shut down");
  exit(workerExitCodes.ok);
}

process.on("message", (message: HarnessMessage) => {
  if (message.type === "start") for (const { id, input } of message.workflows) void startWorkflow(id, input);
  else if (message.type === "shutdown") void stop();
});

send({ type: "launching", now: Date.now() });
const started = Date.now();
try {
  await launch(dbos);
} catch (error) {
  log("warn", "launch failed", { error });
  exit(workerExitCodes.launchFailed);
}
log("info", "worker launched", { ms: Date.now() - started });
send({ type: "launched", ms: Date.now() - started });
