// Bugs the chaos suite found, each reproduced on its own: upstream ones that durably works
// around (when such a test fails, the workaround may go), durably's own fixed ones (as
// regressions), and open ones (it.fails: when one fails, the bug is gone; make it an `it`).
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import {
  createDBOSContext,
  launch,
  recoverPendingWorkflows,
  registerWorkflow,
  retrieveWorkflow,
  runAsStep,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { expect, it } from "vitest";
import { ambiguousStatements } from "./support/fault-injector.js";
import { TcpProxy } from "./support/tcp-proxy.js";

const database = useTestDatabase();
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

// Why sysdb runs postgres.js with fetch_types off (lists travel as JSON).
it(
  "postgres.js leaves a rejection unhandled when a new connection is lost during its type fetch " +
    "(porsager/postgres#1192)",
  async () => {
    const script = fileURLToPath(new URL("./repro/type-fetch-reset.ts", import.meta.url));
    const outcome = await promisify(execFile)(process.execPath, ["--import", tsx, script, database.url], {
      timeout: 30_000,
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code, stdout: error.stdout ?? "" }),
    );
    expect(outcome.code, outcome.stdout).toBe(70);
    // closedDuringTypeFetch: the proxy's evidence the chaos tiers use to recognise this crash.
    expect(JSON.parse(outcome.stdout)).toMatchObject({ unhandled: true, code: "ECONNRESET", closedDuringTypeFetch: 1 });
  },
);

// durably (fixed): a claim commits before its reply; when the reply is lost (connection reset
// after commit), the claimer finds what it took by the claim's token and runs it, instead of
// leaving the rows PENDING under a live executor until it restarts.
it("a workflow whose internal-queue claim reply was lost still finishes", async () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const context = (executorId: string, url: string) => {
    const ctx = createDBOSContext({
      appName: "lost-reply",
      systemDatabaseUrl: url,
      executorId,
      applicationVersion: "1",
      logger: quiet,
      pollIntervalMs: 200,
    });
    const wf = registerWorkflow(ctx, async function oneStep(c: DBOSContext) {
      await runAsStep(c, () => new Promise((r) => setTimeout(r, 300)), { name: "wait" });
      return "done";
    });
    return { ctx, wf };
  };
  // Executor "lost" goes away with its workflow unfinished (PENDING under "lost").
  const lost = context("lost", database.url);
  await launch(lost.ctx);
  await runWorkflow(lost.ctx, lost.wf, undefined, { workflowID: "orphan" });
  await shutdown(lost.ctx, { timeoutMs: 0 });

  const target = new URL(database.url);
  const proxy = await TcpProxy.start(Number(target.port || 5432));
  target.hostname = "127.0.0.1";
  target.port = String(proxy.port);
  const live = context("live", target.toString());
  await launch(live.ctx);
  try {
    proxy.dropReplyTo("for update skip locked", { onlyWithRows: true });
    expect(await recoverPendingWorkflows(live.ctx, ["lost"])).toEqual(["orphan"]);
    const handle = await retrieveWorkflow(live.ctx, "orphan");
    let status: string | undefined;
    for (let i = 0; i < 40 && status !== "SUCCESS"; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await handle.getStatus())?.status;
    }
    expect(proxy.stats.droppedReplies).toBe(1);
    expect(status).toBe("SUCCESS");
  } finally {
    await shutdown(live.ctx, { timeoutMs: 0 });
    await proxy.close();
  }
}, 30_000);

// postgres.js resolves a statement at CommandComplete, before its implicit transaction commits
// (porsager/postgres#1090), so a commit that fails afterwards (a backend terminated at that
// moment, as in the soak tier, or here a deferred constraint) looked like success: runWorkflow
// returned a handle for a workflow that did not exist. patches/postgres@3.4.7.patch makes every
// statement resolve at ReadyForQuery, after the commit.
it("a workflow start whose commit fails is reported as an error", async () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const ctx = createDBOSContext({
    appName: "commit-fails",
    systemDatabaseUrl: database.url,
    executorId: "x",
    applicationVersion: "1",
    logger: quiet,
  });
  const wf = registerWorkflow(ctx, async function noop() {
    return "done";
  });
  await launch(ctx);
  const sql = postgres(database.url, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(`
      create function fail_at_commit() returns trigger language plpgsql as $$
        begin if new.workflow_uuid = 'doomed' then raise exception 'refused at commit'; end if; return null; end $$;
      create constraint trigger fail_at_commit after insert on dbos.workflow_status
        deferrable initially deferred for each row execute function fail_at_commit();`);
    await expect(runWorkflow(ctx, wf, undefined, { workflowID: "doomed" })).rejects.toThrow("refused at commit");
  } finally {
    await sql.end();
    await shutdown(ctx, { timeoutMs: 0 });
  }
}, 30_000);

// postgres.js 3.4.x: when the backend of a sql.begin() transaction goes away mid-statement, it
// writes the ROLLBACK to a socket that is already null, from a setImmediate: an uncaughtException
// that kills the process (porsager/postgres#1133, #1208; fixes proposed in #1209 + #1215).
// patches/postgres@3.4.7.patch now makes the transaction reject its queries, the ROLLBACK too, once
// its connection closed (packages/sysdb/test/transaction-cut.test.ts). durably's hot writes are
// single autocommit statements (fafb13d, which wrapped them in sql.begin, was reverted for this);
// cutting them must not kill the process; three tries guard it.
it("cutting durably's write transactions does not kill the process", async () => {
  const script = fileURLToPath(new URL("./repro/transaction-cut.ts", import.meta.url));
  for (let attempt = 0; attempt < 3; attempt++) {
    const outcome = await promisify(execFile)(process.execPath, ["--import", tsx, script, database.url, "terminate"], {
      timeout: 60_000,
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code, stdout: error.stdout ?? "" }),
    );
    expect(outcome.code, outcome.stdout).toBe(0);
  }
}, 200_000);

// postgres.js 3.4.x, two teardown bugs that strand work on a pooled connection whose socket is
// reset (patches/postgres@3.4.7.patch fixes both): queries executed between the socket's 'error'
// and 'close' events were never rejected, and a cleared-but-not-nulled write timer stopped every
// later write on that connection from being flushed. Either way a query waited forever for a
// reply its server never got: workflows stalled, and every pool connection went idle server-side.
// A rarer strand remains (about one run in five, a few workflows): withDatabaseRetry's 30 s reply
// deadline rescues it, so this test bounds the run at 90 s rather than expecting no delay at all.
// Open: on some hosts the strand recurs on the retried statement, so that a workflow waits out two
// or three deadlines (and fails once the 60 s retry budget is spent). On 2026-11-22 that happened
// in 2 of 6 runs of the code before that day's changes and 1 of 6 after; until the cause in the
// driver is found, the test gets two more tries.
it("dropping replies mid-pipeline never strands a query", { timeout: 150_000, retry: 2 }, async () => {
  const run = randomUUID().slice(0, 8); // each try starts new workflows
  const target = new URL(database.url);
  const proxy = await TcpProxy.start(Number(target.port || 5432));
  target.hostname = "127.0.0.1";
  target.port = String(proxy.port);
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const ctx = createDBOSContext({
    appName: "strand",
    systemDatabaseUrl: target.toString(),
    executorId: "x",
    applicationVersion: "1",
    logger: quiet,
  });
  const fiveSteps = registerWorkflow(ctx, async function fiveSteps(c: DBOSContext, x: number) {
    let v = x;
    for (let i = 0; i < 5; i++) v = await runAsStep(c, async () => v + 1, { name: `s${i}` });
    return v;
  });
  await launch(ctx);
  let stallTimer: NodeJS.Timeout | undefined; // cleared however the try ends, so a failed try leaves no timer behind
  let faulting = true;
  const faults = (async () => {
    while (faulting) {
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 100));
      proxy.dropReplyTo(ambiguousStatements["checkpoint insert"]!);
    }
  })();
  try {
    let finished = 0;
    const until = Date.now() + 6_000;
    const lanes = Array.from({ length: 50 }, async (_, lane) => {
      for (let i = 0; Date.now() < until; i++) {
        const handle = await runWorkflow(ctx, fiveSteps, i, { workflowID: `strand-${run}-${lane}-${i}` });
        expect(await handle.getResult()).toBe(i + 5);
        finished++;
      }
    });
    const stalled = new Promise<never>((_, reject) => {
      stallTimer = setTimeout(() => reject(new Error(`stalled after ${finished} workflows`)), 90_000);
    });
    await Promise.race([Promise.all(lanes), stalled]);
    expect(proxy.stats.droppedReplies).toBeGreaterThan(10);
  } finally {
    clearTimeout(stallTimer);
    faulting = false;
    await faults;
    await shutdown(ctx, { timeoutMs: 0 });
    await proxy.close();
  }
});
