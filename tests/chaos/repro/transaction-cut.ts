// Cuts the connections of durably's write transactions while 50 workflows checkpoint, and reports
// whether the process survived: postgres.js 3.4.x writes a transaction's ROLLBACK to a connection
// whose socket is gone, from a setImmediate, and the TypeError ends the process
// (porsager/postgres#1133, #1208). Run: tsx chaos/repro/transaction-cut.ts <postgres URL> [how]
// how = "terminate" (pg_terminate_backend sweeps, default) or "reset" (dropped replies + resets).
// Prints one JSON line; exits 70 if the process was about to die.
import postgres from "postgres";
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
const how = process.argv[3] ?? "terminate";
const report = (fields: Record<string, unknown>, code: number) => {
  console.log(JSON.stringify({ how, ...fields }));
  process.exit(code);
};
process.on("uncaughtException", (error) =>
  report({ died: "uncaughtException", error: error.message, at: error.stack?.split("\n")[1]?.trim() }, 70),
);
process.on("unhandledRejection", (error) => report({ died: "unhandledRejection", error: String(error) }, 70));
const admin = postgres(url.toString(), { max: 1, onnotice: () => undefined });
const proxy = await TcpProxy.start(Number(url.port || 5432));
const viaProxy = new URL(url);
viaProxy.hostname = "127.0.0.1";
viaProxy.port = String(proxy.port);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const ctx = createDBOSContext({
  appName: "cut",
  systemDatabaseUrl: viaProxy.toString(),
  executorId: "x",
  applicationVersion: "1",
  logger: quiet,
  poolSize: 5,
});
let inStep: () => void = () => undefined;
const stepRunning = new Promise<void>((r) => (inStep = r));
const wf = registerWorkflow(ctx, async function steps(c: DBOSContext) {
  for (let i = 0; i < 20; i++) await runAsStep(c, async () => (i === 0 && inStep(), i), { name: `s${i}` });
  return "done";
});
await launch(ctx);
if (how === "reset")
  proxy.dropReplyTo("operation_outputs (workflow_uuid, function_id, function_name, output, error", { count: 5 });
const handles = await Promise.all(
  Array.from({ length: 50 }, (_, i) => runWorkflow(ctx, wf, undefined, { workflowID: `cut-${Date.now()}-${i}` })),
);
await stepRunning;
if (how === "terminate") {
  // Kill every pool session a few times while checkpoints are written.
  for (let i = 0; i < 100; i++) {
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'durably-cut'
      and pid <> pg_backend_pid()`;
    await new Promise((r) => setTimeout(r, Math.random() * 30));
  }
}
const result = await Promise.race([
  Promise.all(handles.map((h) => h.getResult())).then((r) => `${r.length} done`),
  new Promise((r) => setTimeout(r, 15_000, "no result in 15 s")),
]);
await admin.end();
await Promise.race([shutdown(ctx, { timeoutMs: 0 }), new Promise((r) => setTimeout(r, 5_000))]);
await proxy.close();
report({ died: false, result, droppedReplies: proxy.stats.droppedReplies }, 0);
