// A live worker process for the dashboard's browser tests. argv: database URL, gate directory, log
// file, and optionally a JSON object of context options (executorId, applicationVersion, lease
// timings) for a second worker that differs from the first. It prints "ready", then reads commands on stdin: `start <workflow> <workflowID> <json args>`.
// Step k of a gated workflow waits until the file <gate dir>/<workflowID>-<k> exists, so a test
// decides when each step commits; every step run is appended to the log as "<workflowID> <step>".
// It serves the queue "dash-q".
import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  createDBOSContext,
  getWorkflowID,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
} from "@durably/core";
import { setEvent, writeStream } from "@durably/notifications";
import { registerQueue } from "@durably/queues";

const [url, gateDir, logFile, extra] = process.argv.slice(2);
const quiet = {
  debug() {},
  info() {},
  warn() {},
  error: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
};
const dbos = createDBOSContext({
  appName: "dash-test",
  systemDatabaseUrl: url,
  applicationVersion: "d-v1",
  logger: quiet,
  pollIntervalMs: 100,
  ...JSON.parse(extra ?? "{}"),
});

async function gate(workflowID, step) {
  const file = join(gateDir, `${workflowID}-${step}`);
  for (let i = 0; i < 1200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(file)) throw new Error(`gate ${file} never opened`);
}

const gated = registerWorkflow(
  dbos,
  async function gated(ctx, steps) {
    const id = getWorkflowID(ctx);
    const out = [];
    for (let k = 0; k < steps; k++) {
      out.push(
        await runAsStep(
          ctx,
          async () => {
            await gate(id, k);
            appendFileSync(logFile, `${id} ${k}\n`);
            return k;
          },
          { name: `gated-step-${k}` },
        ),
      );
    }
    return out;
  },
  { name: "gated" },
);

const counted = registerWorkflow(
  dbos,
  async function counted(ctx, steps) {
    const id = getWorkflowID(ctx);
    for (let k = 0; k < steps; k++) {
      await runAsStep(ctx, async () => appendFileSync(logFile, `${id} ${k}\n`), { name: `counted-step-${k}` });
    }
    return steps;
  },
  { name: "counted" },
);

const hostile = registerWorkflow(
  dbos,
  async function hostile(ctx, text) {
    await runAsStep(ctx, async () => text, { name: "echo" });
    return { text, when: new Date(Date.UTC(2026, 0, 2)), tags: new Set(["a", "b"]), big: 12345678901234567890n };
  },
  { name: "hostile" },
);

const talker = registerWorkflow(
  dbos,
  async function talker(ctx) {
    const id = getWorkflowID(ctx);
    await setEvent(ctx, "progress", { done: 1, of: 2 });
    await writeStream(ctx, "log", "line 0");
    await runAsStep(ctx, () => gate(id, 0), { name: "wait" });
    await writeStream(ctx, "log", "line 1");
    return "talked";
  },
  { name: "talker" },
);

const middle = registerWorkflow(
  dbos,
  async function middle(ctx) {
    const id = getWorkflowID(ctx);
    await (await runWorkflow(ctx, counted, 1, { workflowID: `${id}-grandchild` })).getResult();
    return "middle";
  },
  { name: "middle" },
);

const family = registerWorkflow(
  dbos,
  async function family(ctx) {
    const id = getWorkflowID(ctx);
    await (await runWorkflow(ctx, middle, null, { workflowID: `${id}-child` })).getResult();
    return "family";
  },
  { name: "family" },
);

// A schedule's workflow (the tests create the schedules): logs its one step like `counted`.
const ticked = registerWorkflow(
  dbos,
  async function ticked(ctx, input) {
    const id = getWorkflowID(ctx);
    await runAsStep(ctx, async () => appendFileSync(logFile, `${id} 0\n`), { name: "tick" });
    return input.scheduledTime;
  },
  { name: "ticked" },
);

const workflows = { gated, counted, hostile, talker, family, ticked };
await registerQueue(dbos, "dash-q");
await launch(dbos);
process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const [command, name, workflowID, ...rest] = line.split(" ");
  if (command !== "start") return;
  runWorkflow(dbos, workflows[name], JSON.parse(rest.join(" ")), { workflowID }).then(
    () => process.stdout.write(`started ${workflowID}\n`),
    (error) => process.stderr.write(`start ${workflowID} failed: ${error}\n`),
  );
});
process.once("SIGTERM", () => void shutdown(dbos, { drainMs: 0 }).finally(() => process.exit(0)));
