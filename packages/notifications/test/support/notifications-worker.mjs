// A worker process for the cross-process tests. Modes:
//   events <id>      runs a workflow that sets event "ready" after 300 ms, then exits;
//   inbox  <id>      runs (or, relaunched, recovers) a workflow that receives 5 messages on topic
//                    "inbox", logging each to <log>; it prints "waiting" once running.
import { appendFileSync } from "node:fs";
import {
  createDBOSContext,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
} from "@durably/core";
import { recv, setEvent } from "@durably/notifications";

const [url, mode, workflowID, log] = process.argv.slice(2);
const ctx = createDBOSContext({
  appName: "notify-test",
  systemDatabaseUrl: url,
  applicationVersion: "n-v1",
  executorId: "notify-worker",
  pollIntervalMs: 200,
});

const announcer = registerWorkflow(
  ctx,
  async (wctx) => {
    await sleep(wctx, 300);
    await setEvent(wctx, "ready", { at: "worker" });
  },
  { name: "announcer" },
);

const inbox = registerWorkflow(
  ctx,
  async (wctx) => {
    const received = [];
    for (let i = 0; i < 5; i++) {
      const message = await recv(wctx, { topic: "inbox", timeoutMs: 30_000 });
      await runAsStep(wctx, async () => void appendFileSync(log, `${JSON.stringify(message)}\n`), { name: "log" });
      received.push(message);
    }
    return received;
  },
  { name: "inbox" },
);

await launch(ctx);
if (mode === "events") {
  await (await runWorkflow(ctx, announcer, undefined, { workflowID })).getResult();
  await shutdown(ctx);
} else {
  const handle =
    (await retrieveWorkflow(ctx, workflowID).catch(() => undefined)) ??
    (await runWorkflow(ctx, inbox, undefined, { workflowID }));
  process.stdout.write("waiting\n");
  process.stdout.write(`${JSON.stringify(await handle.getResult())}\n`);
  await shutdown(ctx);
}
