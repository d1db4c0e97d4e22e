// A worker process of the deploy tests: one version of an order workflow ("v1", the patched
// "v2", or "v2-unguarded", which reorders two steps), driven by its parent over IPC. Every step
// appends "<workflow> <step>" to an effect log outside the database when it runs.
import { appendFileSync } from "node:fs";
import {
  createDBOSContext,
  getWorkflowID,
  launch,
  patched,
  registerWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  sleep,
} from "@durably/core";

const config = JSON.parse(process.argv[2]);
const send = (message) => process.send?.(message);

/** Errors travel as plain objects; everything else as JSON can carry it. */
const asPlain = (_key, value) => (value instanceof Error ? { code: value.code, message: value.message } : value);
const plain = (fields) => JSON.parse(JSON.stringify(fields ?? {}, asPlain));
const forward = (level) => (message, fields) => send({ type: "log", level, message, fields: plain(fields) });
const logger = { debug() {}, info: forward("info"), warn: forward("warn"), error: forward("error") };

const ctx = createDBOSContext({
  appName: config.appName,
  systemDatabaseUrl: config.url,
  applicationVersion: config.version,
  ...(config.compatibleVersions ? { compatibleVersions: config.compatibleVersions } : {}),
  ...(config.upgradeStrandedVersions ? { upgradeStrandedVersions: true } : {}),
  logger,
  pollIntervalMs: 200,
  leaseRenewMs: 200,
  leaseLapseMs: 1_000,
  poolSize: 4,
});

const step = (wctx, id, name, value) =>
  runAsStep(
    wctx,
    async () => {
      appendFileSync(config.effectLog, `${id} ${name}\n`);
      return value;
    },
    { name },
  );

// Odd inputs sleep before the point the change is made at, even ones after it: a deploy during
// the sleep finds runs on both sides of it.
const code = {
  v1: async function deployOrder(wctx, n) {
    const id = getWorkflowID(wctx);
    await step(wctx, id, "a", n);
    if (n % 2 === 1) await sleep(wctx, config.sleepMs);
    await step(wctx, id, "b", n);
    if (n % 2 === 0) await sleep(wctx, config.sleepMs);
    await step(wctx, id, "c", n);
    return { n, path: "old", version: config.version };
  },
  // v2 adds an audit step before "b", guarded by patched().
  v2: async function deployOrder(wctx, n) {
    const id = getWorkflowID(wctx);
    await step(wctx, id, "a", n);
    if (n % 2 === 1) await sleep(wctx, config.sleepMs);
    const isNew = await patched(wctx, "audit-before-b");
    if (isNew) await step(wctx, id, "audit", n);
    await step(wctx, id, "b", n);
    if (n % 2 === 0) await sleep(wctx, config.sleepMs);
    await step(wctx, id, "c", n);
    return { n, path: isNew ? "new" : "old", version: config.version };
  },
  // The same change made without a guard, and "a" moved after "b": old runs cannot replay it.
  "v2-unguarded": async function deployOrder(wctx, n) {
    const id = getWorkflowID(wctx);
    await step(wctx, id, "b", n);
    await step(wctx, id, "a", n);
    await step(wctx, id, "audit", n);
    await step(wctx, id, "c", n);
    return { n, path: "unguarded", version: config.version };
  },
}[config.code];
const order = registerWorkflow(ctx, code);

process.on("message", async (message) => {
  try {
    if (message.type === "start") {
      for (const { id, n } of message.workflows) await runWorkflow(ctx, order, n, { workflowID: id });
      send({ type: "started" });
    } else if (message.type === "shutdown") {
      await shutdown(ctx, { drainMs: 0 });
      send({ type: "shut-down" });
      process.disconnect();
    }
  } catch (error) {
    send({ type: "failed", error: String(error?.stack ?? error) });
  }
});

await launch(ctx);
send({ type: "launched" });
