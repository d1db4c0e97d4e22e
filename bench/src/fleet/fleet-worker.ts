// One process of the fleet benchmark (node --import tsx fleet-worker.ts '<json>'): a durably
// executor with default lease settings. Prints FLEET <json> lines: "ready"; "step" for every
// step its workflows run (so the parent sees where each workflow progresses, and when); for the
// idle role, "statements": what it sent between the parent's "start" and "stop" lines on stdin.
import {
  createDBOSContext,
  getWorkflowID,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  sleep,
} from "@durably/core";

export interface FleetWorkerInput {
  readonly url: string;
  readonly role: "victim" | "survivor" | "idle";
  /** victim: how many workflows to start. */
  readonly workflows?: number;
  readonly poolSize?: number;
}

export const fleetLinePrefix = "FLEET ";
const say = (event: object) => process.stdout.write(`${fleetLinePrefix}${JSON.stringify(event)}\n`);

const input = JSON.parse(process.argv[2]!) as FleetWorkerInput;
let counting = false;
let total = 0;
let leaseStatements = 0;
const ctx = createDBOSContext({
  appName: "fleet-bench",
  systemDatabaseUrl: input.url,
  applicationVersion: "fleet-v1",
  poolSize: input.poolSize ?? 4,
  onQuery: (text) => {
    if (!counting) return;
    total++;
    if (text.includes("durably_executor_leases")) leaseStatements++;
  },
});

// Runs until the parent stops the process: a step, then a short durable sleep, again.
const progress = registerWorkflow(
  ctx,
  async (c, _n: number) => {
    for (let step = 0; ; step++) {
      await runAsStep(c, async () => say({ type: "step", workflowID: getWorkflowID(c), step, at: Date.now() }), {
        name: "report",
      });
      await sleep(c, 250);
    }
  },
  { name: "progress" },
);

await launch(ctx);
if (input.role === "victim") {
  for (let i = 0; i < (input.workflows ?? 20); i++) await runWorkflow(ctx, progress, i);
}
say({ type: "ready", pid: process.pid });
let countingFrom = 0;
process.stdin.setEncoding("utf8").on("data", (chunk: string) => {
  for (const command of chunk.split("\n")) {
    if (command === "start") {
      counting = true;
      countingFrom = performance.now();
    } else if (command === "stop") {
      counting = false;
      say({ type: "statements", total, leaseStatements, seconds: (performance.now() - countingFrom) / 1000 });
    }
  }
});
setInterval(() => undefined, 60_000); // stay alive until the parent kills it
