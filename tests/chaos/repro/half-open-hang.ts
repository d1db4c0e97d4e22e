// Shows that durably has no client-side deadline: when the network path to Postgres stops
// carrying bytes while sockets stay open (a partition, a NAT that forgot the connection), a step
// checkpoint waits with no error and no log line until TCP itself gives up (minutes).
// Run: tsx chaos/repro/half-open-hang.ts <postgres URL> [seconds]; prints one JSON line.
import {
  createDBOSContext,
  launch,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { TcpProxy } from "../support/tcp-proxy.js";

const url = new URL(process.argv[2] ?? "postgres://postgres@127.0.0.1:5432/postgres");
const seconds = Number(process.argv[3] ?? 30);
const logged: string[] = [];
const note = (m: string, f?: Record<string, unknown>) =>
  void logged.push(`${m} ${(f?.error as { code?: string } | undefined)?.code ?? ""}`.trim());
const logger = { debug() {}, info() {}, warn: note, error: note };
const proxy = await TcpProxy.start(Number(url.port || 5432));
url.hostname = "127.0.0.1";
url.port = String(proxy.port);
const ctx = createDBOSContext({
  appName: "repro",
  systemDatabaseUrl: url.toString(),
  executorId: "x",
  applicationVersion: "1",
  logger,
});
const events: Array<[string, number]> = [];
const wf = registerWorkflow(ctx, async function twoSteps(c: DBOSContext) {
  await runAsStep(c, async () => void events.push(["step 1 ran", Date.now()]), { name: "one" });
  events.push(["step 1 checkpointed", Date.now()]);
  await runAsStep(c, async () => void events.push(["step 2 ran", Date.now()]), { name: "two" });
  events.push(["step 2 checkpointed", Date.now()]);
  return "done";
});
await launch(ctx);
proxy.blackhole(); // from now on nothing crosses; sockets stay open
const started = Date.now();
const handle = await Promise.race([
  runWorkflow(ctx, wf, undefined, { workflowID: `hang-${started}` }),
  new Promise((r) => setTimeout(r, seconds * 1000, "runWorkflow still waiting")),
]);
const waited = Math.round((Date.now() - started) / 1000);
// shutdown while still partitioned: does it finish?
const stopping = Date.now();
const stopped = await Promise.race([
  shutdown(ctx, { timeoutMs: 0 }).then(() => "finished"),
  new Promise((r) => setTimeout(r, 20_000, "still waiting after 20 s")),
]);
const stopSeconds = Math.round((Date.now() - stopping) / 1000);
console.log(
  JSON.stringify({
    blackholedSeconds: waited,
    runWorkflow: typeof handle === "string" ? handle : "returned",
    events: events.map(([e, t]) => `${e} at +${t - started} ms`),
    logged,
    shutdown: stopped,
    shutdownSeconds: stopSeconds,
  }),
);
proxy.heal("reset");
await proxy.close();
process.exit(0);
