// A real DBOS 5.3.0 application (DBOS.launch, its own runtime), run as a child process so that
// the rows durably reads are the ones DBOS's runtime writes. Usage: node dbos-app.mjs <url> <app>
// <version> <executor> [native|portable]. Reads JSON commands on stdin, one a line, and answers each on stdout:
//   {"op":"start","workflow":"tour","id":"…","args":[…],"params":{…}}  starts a workflow (tour's
//       default input: richValue; params: DBOS's StartWorkflowParams), answers {"ok":"…"} once recorded
//   {"op":"runs","id":"…"}                     how often gated's first step ran for that workflow ID
// Each workflow is registered twice: under its name in DBOS's default format (native, stored as
// js_superjson) and as `<name>_portable` with DBOS's per-workflow `serialization: "portable"`.
import { DBOS } from "@dbos-inc/dbos-sdk";
import { DBOSPortableJSON } from "@dbos-inc/dbos-sdk/internal/serialization";
import { createInterface } from "node:readline";

// serializer "portable" configures DBOSPortableJSON app-wide (DBOS's other way to choose a format).
const [url, appName, applicationVersion, executorID, serializer = "native"] = process.argv.slice(2);
const when = new Date("2026-03-04T05:06:07.000Z");
/** What a workflow's input and its first step's output look like in each format. */
const richValue = {
  native: () => ({ when, big: 7n, tags: new Set(["a", "b"]), map: new Map([["k", 1]]) }),
  portable: () => ({ when: when.toISOString(), n: 7, tags: ["a", "b"] }),
};
const firstStepRuns = new Map();

/** An application error with a field of its own, as DBOS stores it in each format. */
class OrderError extends Error {
  constructor(message, code) {
    super(message);
    this.name = "OrderError";
    this.code = code;
  }
}

// One line per warning or error on stderr (the test prefixes and shows it); a workflow that
// fails on purpose logs one such line.
const line = (level) => (entry) => console.error(`${level}: ${entry instanceof Error ? entry.message : String(entry)}`);
const logger = { debug() {}, info() {}, warn: line("warn"), error: line("error") };
DBOS.setConfig({
  name: appName,
  systemDatabaseUrl: url,
  applicationVersion,
  executorID,
  logger,
  ...(serializer === "portable" ? { serializer: DBOSPortableJSON } : {}),
});

function register(format) {
  const suffix = format === "portable" ? "_portable" : "";
  const serialization = format === "portable" ? { serialization: "portable" } : {};
  const config = (name) => ({ name: `${name}${suffix}`, ...serialization });
  const double = async (n) => DBOS.runStep(async () => n * 2, { name: "double" });
  const child = DBOS.registerWorkflow(double, config("child"));
  const tour = DBOS.registerWorkflow(async (input) => {
    const id = DBOS.workflowID;
    const first = await DBOS.runStep(async () => input, { name: "first" });
    const second = await DBOS.runStep(async () => "second", { name: "second" });
    await DBOS.setEvent("status", first);
    for (const n of [1, 2]) await DBOS.writeStream("log", { n });
    await DBOS.closeStream("log");
    await DBOS.sleep(20);
    const byChild = await (await DBOS.startWorkflow(child, { workflowID: `${id}-child` })(5)).getResult();
    const queued = { workflowID: `${id}-queued`, queueName: `${appName}-q` };
    const byQueue = await (await DBOS.startWorkflow(child, queued)(6)).getResult();
    const message = await DBOS.recv("in", { timeoutSeconds: 30, pollingIntervalMs: 50 });
    await DBOS.setEvent("got", message);
    return { first, second, byChild, byQueue, message };
  }, config("tour"));
  const gated = DBOS.registerWorkflow(async () => {
    const id = DBOS.workflowID;
    const countRun = () => firstStepRuns.set(id, (firstStepRuns.get(id) ?? 0) + 1);
    await DBOS.runStep(async () => (countRun(), "before"), { name: "before" });
    const go = await DBOS.recv("go", { timeoutSeconds: 60, pollingIntervalMs: 50 });
    return DBOS.runStep(async () => `went ${go}`, { name: "after" });
  }, config("gated"));
  const fails = DBOS.registerWorkflow(async () => {
    await DBOS.runStep(
      async () => {
        throw new OrderError("step broke", 42);
      },
      { name: "breaks", retriesAllowed: false },
    ).catch(() => undefined);
    throw new OrderError("workflow broke", 7);
  }, config("fails"));
  const pair = DBOS.registerWorkflow(async (a, b) => ({ a, b }), config("pair"));
  // Talks to a durably workflow: DBOS's send from a workflow, and DBOS's getEvent of its reply.
  const notify = DBOS.registerWorkflow(async (destination) => {
    await DBOS.send(destination, { from: DBOS.workflowID }, "in");
    return DBOS.getEvent(destination, "ack", { timeoutSeconds: 30, pollingIntervalMs: 50 });
  }, config("notify"));
  // DBOS calls a scheduled workflow with (scheduledTime, context).
  const echo = async (scheduledTime, context) => ({ scheduledTime, context });
  const scheduled = DBOS.registerWorkflow(echo, config("scheduled"));
  return { tour, gated, child, fails, pair, notify, scheduled };
}
const workflows = { native: register("native"), portable: register("portable") };

process.on("unhandledRejection", (error) => {
  console.error("unhandled rejection", error);
  process.exit(3);
});
// SIGTERM waits for nothing: a test kills this app while workflows wait, and they stay PENDING.
process.on("SIGTERM", () => void DBOS.shutdown({ workflowCompletionTimeoutMS: 0 }).finally(() => process.exit(0)));
await DBOS.launch();
// Queue and schedule names are unique across applications in DBOS, so each app has its own.
await DBOS.registerQueue(`${appName}-q`, { workerConcurrency: 4, minPollingIntervalMs: 50 });
await DBOS.registerQueue(`${appName}-limited`, {
  globalConcurrency: 3,
  workerConcurrency: 2,
  rateLimit: { limitPerPeriod: 10, periodSec: 2 },
  partitionConcurrency: 1,
  partitionRateLimit: { limitPerPeriod: 4, periodSec: 3 },
  minPollingIntervalMs: 100,
});
// Once a year: the tests trigger them rather than wait.
// (Plain JSON cannot hold the native context, so an app-wide portable serializer gets only the portable one.)
const scheduleFormats = serializer === "portable" ? ["portable"] : ["native", "portable"];
await DBOS.applySchedules(
  scheduleFormats.map((format) => ({
    scheduleName: `${appName}-yearly-${format}`,
    workflowFn: workflows[format].scheduled,
    schedule: "0 0 1 1 *",
    context: richValue[format](),
  })),
);

const answer = (reply) => process.stdout.write(`${JSON.stringify(reply)}\n`);
answer({ ready: true });
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line);
  try {
    if (command.op === "start") {
      const format = command.workflow.endsWith("_portable") ? "portable" : "native";
      const fn = workflows[format][command.workflow.replace(/_portable$/, "")];
      const args = command.args ?? (command.workflow.startsWith("tour") ? [richValue[format]()] : []);
      await DBOS.startWorkflow(fn, { ...command.params, workflowID: command.id })(...args);
      answer({ ok: command.id });
    } else if (command.op === "runs") {
      answer({ ok: firstStepRuns.get(command.id) ?? 0 });
    } else {
      answer({ error: `unknown op ${command.op}` });
    }
  } catch (error) {
    answer({ error: String(error?.stack ?? error) });
  }
}
