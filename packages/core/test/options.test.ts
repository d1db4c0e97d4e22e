// Every options object of core's public API refuses unknown keys and bad numbers with a typed
// error naming the option, before anything runs (JavaScript callers get no type check: `as any`).
import { failureOf } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  collectGarbagePeriodically,
  createClient,
  createDBOSContext,
  forkWorkflow,
  garbageCollectWorkflows,
  isDurablyError,
  launch,
  listExecutors,
  listWorkflows,
  registerExtension,
  registerWorkflow,
  runAsStep,
  runDurableOperation,
  runDurableWait,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";
import { withDatabaseRetry } from "../src/extension-kit.js";
import { testContext } from "./support/test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
// Lets a test pass what the types forbid, so it reaches the runtime checks.
const any = (value: unknown) => value as any;

/** `CODE: message` of what `fn` threw or rejected with. */
const failure = (fn: () => unknown) => failureOf(fn, isDurablyError, "DurablyError");

let ctx: DBOSContext;
const statements: string[] = [];
let echo: ReturnType<typeof registerWorkflow<string, string>>;

beforeAll(async () => {
  ctx = testContext(db.url, { appName: "options-app", onQuery: (sql) => void statements.push(sql) });
  echo = registerWorkflow(ctx, async (_ctx: DBOSContext, input: string) => input, { name: "echo" });
  await launch(ctx);
});
afterAll(() => shutdown(ctx));

describe("configs keep their INVALID_CONFIG code", () => {
  test("createDBOSContext and createClient name an unknown key and list the accepted ones", async () => {
    const url = "postgres://u@h/db";
    const misspelled = await failure(() =>
      createDBOSContext(any({ appName: "a", systemDatabaseUrl: url, pollIntervalMS: 5 })),
    );
    expect(misspelled).toMatch(
      /^INVALID_CONFIG: createDBOSContext: unknown option pollIntervalMS \(did you mean pollIntervalMs\?\)/,
    );
    expect(misspelled).toContain("appName, systemDatabaseUrl, applicationVersion");
    expect(
      await failure(() => createDBOSContext(any({ appName: "a", systemDatabaseUrl: url, listenUrl: "x" }))),
    ).toMatch(/^INVALID_CONFIG: Invalid durably config: listenUrl "x" has no scheme/);
    expect(
      await failure(() => createDBOSContext(any({ appName: "a", systemDatabaseUrl: url, transactionPooler: "yes" }))),
    ).toMatch(/^INVALID_CONFIG: createDBOSContext: transactionPooler must be true or false, got "yes"/);
    expect(
      await failure(() => createDBOSContext(any({ appName: "a", systemDatabaseUrl: url, connectTimeoutMs: "5s" }))),
    ).toMatch(/^INVALID_CONFIG: .*connectTimeoutMs must be a finite number > 0, got "5s"/);
    // A client has no executor: DBOSConfig's executorId is not one of its keys.
    expect(await failure(() => createClient(any({ systemDatabaseUrl: db.url, executorId: "x" })))).toMatch(
      /^INVALID_CONFIG: createClient: unknown option executorId/,
    );
    // Nor a lease.
    expect(await failure(() => createClient(any({ systemDatabaseUrl: db.url, leaseLapseMs: 5_000 })))).toMatch(
      /^INVALID_CONFIG: createClient: unknown option leaseLapseMs/,
    );
    // A lease must survive a missed renewal.
    expect(
      await failure(() =>
        createDBOSContext(any({ appName: "a", systemDatabaseUrl: url, leaseRenewMs: 2_000, leaseLapseMs: 5_000 })),
      ),
    ).toMatch(/^INVALID_CONFIG: .*leaseLapseMs \(5000\) must be at least 3 × leaseRenewMs \(2000\)/);
    expect(
      await failure(() => createDBOSContext(any({ appName: "a", systemDatabaseUrl: url, leaseRenewMs: 1.5 }))),
    ).toMatch(/^INVALID_CONFIG: .*leaseRenewMs/);
  });
});

describe("INVALID_ARGUMENT naming the option", () => {
  test("runWorkflow: DBOS's workflowId spelling, fractional milliseconds, a string priority", async () => {
    expect(await failure(() => runWorkflow(ctx, echo, "x", any({ workflowId: "w1" })))).toMatch(
      new RegExp(
        /^INVALID_ARGUMENT: runWorkflow: unknown option workflowId \(did you mean workflowID\?\); /.source +
          /the accepted options are workflowID, timeoutMs, queue/.source,
      ),
    );
    expect(await failure(() => runWorkflow(ctx, echo, "x", { timeoutMs: 1000.5 }))).toMatch(
      /timeoutMs must be an integer > 0, got 1000.5/,
    );
    expect(await failure(() => runWorkflow(ctx, echo, "x", any({ queue: "q", priority: "1" })))).toMatch(
      /priority must be an integer from 0 to 2147483647, got "1"/,
    );
    expect(await failure(() => runWorkflow(ctx, echo, "x", { queue: "q", delayMs: 0.5 }))).toMatch(
      /delayMs must be an integer >= 0/,
    );
    expect(await listWorkflows(ctx, { name: "echo" })).toEqual([]);
    // Checked before the context's state: the misspelled key is named even before launch.
    const notLaunched = testContext(db.url, { appName: "options-early" });
    const early = registerWorkflow(notLaunched, async () => 1, { name: "early" });
    expect(await failure(() => runWorkflow(notLaunched, early, undefined, any({ workflowId: "w1" })))).toMatch(
      /^INVALID_ARGUMENT: runWorkflow: unknown option workflowId/,
    );
    expect(await failure(() => runWorkflow(notLaunched, early, undefined))).toMatch(/^LIFECYCLE: /);
  });

  test("runAsStep, getResult, registerWorkflow and shutdown refuse unknown keys", async () => {
    const stepCtx = testContext(db.url, { appName: "options-steps" });
    const withBadStep = registerWorkflow(
      stepCtx,
      async (wctx: DBOSContext) => runAsStep(wctx, async () => 1, any({ maxRetries: 2, intervalMS: 10 })),
      { name: "bad-step" },
    );
    await launch(stepCtx);
    try {
      const handle = await runWorkflow(stepCtx, withBadStep, undefined);
      expect(await failure(() => handle.getResult())).toMatch(
        /^INVALID_ARGUMENT: runAsStep: unknown option intervalMS \(did you mean intervalMs\?\)/,
      );
      expect(await failure(() => handle.getResult(any({ timeout: 5 })))).toMatch(
        new RegExp(
          /^INVALID_ARGUMENT: getResult: unknown option timeout \(did you mean timeoutMs\?\); /.source +
            /the accepted options are timeoutMs\./.source,
        ),
      );
    } finally {
      await shutdown(stepCtx);
    }
    expect(
      await failure(() =>
        registerWorkflow(testContext(db.url), async function named() {}, any({ maxRecoveryAttempt: 3 })),
      ),
    ).toMatch(/unknown option maxRecoveryAttempt \(did you mean maxRecoveryAttempts\?\)/);
    expect(await failure(() => shutdown(testContext(db.url), any({ timeout: 0 })))).toMatch(
      /^INVALID_ARGUMENT: shutdown: unknown option timeout/,
    );
  });

  test(
    "garbageCollectWorkflows refuses fractional " + "milliseconds before any SQL (it was PostgresError " + "22P02)",
    async () => {
      const before = statements.length;
      expect(await failure(() => garbageCollectWorkflows(ctx, { olderThanMs: 3600000.5 }))).toBe(
        "INVALID_ARGUMENT: garbageCollectWorkflows: olderThanMs must be an integer >= 0, got 3600000.5.",
      );
      expect(await failure(() => garbageCollectWorkflows(ctx, any({ olderThan: 1000 })))).toMatch(
        /unknown option olderThan \(did you mean olderThanMs\?\)/,
      );
      expect(await failure(() => garbageCollectWorkflows(ctx, { olderThanMs: 1000, batchSize: 2 ** 40 }))).toMatch(
        /batchSize must be an integer from 1 to 2147483647/,
      );
      expect(await failure(() => collectGarbagePeriodically(testContext(db.url), { olderThanMs: 1.5 }))).toMatch(
        /olderThanMs must be an integer >= 0/,
      );
      expect(
        await failure(() => collectGarbagePeriodically(testContext(db.url), any({ olderThanMs: 1, interval: 5 }))),
      ).toMatch(/unknown option interval/);
      expect(statements.length).toBe(before);
    },
  );

  test("forkWorkflow, listWorkflows: unknown keys and bad numbers", async () => {
    expect(await failure(() => forkWorkflow(ctx, "nope", any({ startStep: 0, queueName: "q" })))).toMatch(
      /forkWorkflow: unknown option queueName/,
    );
    expect(await failure(() => forkWorkflow(ctx, "nope", { startStep: 1.5 }))).toMatch(
      /startStep must be an integer from 0 to 2147483647, got 1.5/,
    );
    expect(await failure(() => forkWorkflow(ctx, "nope", { startStep: 0, partitionKey: "p" }))).toMatch(
      /partitionKey only applies with a partitioned queue/,
    );
    expect(await failure(() => listWorkflows(ctx, any({ statuses: ["ERROR"] })))).toMatch(
      /listWorkflows: unknown option statuses \(did you mean status\?\)/,
    );
    expect(await failure(() => listWorkflows(ctx, { limit: 2.5 }))).toMatch(/limit must be an integer/);
    expect(await failure(() => listWorkflows(ctx, any({ status: ["DONE"] })))).toMatch(
      /status\[0\] must be one of "PENDING"/,
    );
  });

  test("listExecutors: unknown keys, unknown states, bad limits, and a context not launched", async () => {
    const list = (options: unknown) => failure(() => listExecutors(ctx, any(options)));
    expect(await list({ states: ["live"] })).toMatch(
      /^INVALID_ARGUMENT: listExecutors: unknown option states \(did you mean state\?\)/,
    );
    expect(await list({ state: ["dead"] })).toMatch(/state\[0\] must be one of "live", "lapsed", "released"/);
    expect(await list({ state: "live" })).toMatch(/state must be an array/);
    expect(await list({ limit: -1 })).toMatch(/limit must be an integer from 0 to 2147483647, got -1/);
    expect(await list({ ownApplicationOnly: "no" })).toMatch(/ownApplicationOnly must be true or false, got "no"/);
    const notLaunched = testContext(db.url);
    expect(await failure(() => listExecutors(notLaunched))).toMatch(/^LIFECYCLE: Cannot list executors before launch/);
    expect((await listExecutors(ctx, { state: ["live"] })).map((e) => e.applicationName)).toEqual(["options-app"]);
  });

  test("the extension API: runDurableOperation's options and runDurableWait's pollMs", async () => {
    expect(await failure(() => runDurableOperation(ctx, "x", async () => 1, any({ fromat: "portable_json" })))).toMatch(
      /runDurableOperation\("x"\): unknown option fromat \(did you mean format\?\)/,
    );
    const wait = {
      name: "w",
      timeoutMs: 10,
      attempt: async () => undefined,
      subscribe: () => () => undefined,
      timeoutError: () => new Error("t"),
    };
    expect(await failure(() => runDurableWait(ctx, any({ ...wait, pollMs: -1 })))).toMatch(
      /pollMs must be a finite number > 0, got -1/,
    );
    expect(await failure(() => runDurableWait(ctx, any({ ...wait, pollMS: 5 })))).toMatch(
      /unknown option pollMS \(did you mean pollMs\?\)/,
    );
    // withDatabaseRetry's options are refused before the work runs.
    let ran = 0;
    const work = async () => ++ran;
    expect(await failure(() => withDatabaseRetry("w", work, any({ maxMS: 5 })))).toMatch(
      /^INVALID_ARGUMENT: withDatabaseRetry: unknown option maxMS \(did you mean maxMs\?\)/,
    );
    expect(await failure(() => withDatabaseRetry("w", work, { attemptTimeoutMs: 0 }))).toMatch(
      /attemptTimeoutMs must be a number > 0 \(or Infinity for no limit\), got 0/,
    );
    expect(await failure(() => withDatabaseRetry("w", work, { maxMs: Number.NaN }))).toMatch(/maxMs must be/);
    expect(ran).toBe(0);
    expect(await failure(() => withDatabaseRetry("w", work, { maxMs: -1 }))).toMatch(/maxMs must be a number >= 0/);
    expect(ran).toBe(0);
    expect(await withDatabaseRetry("w", work, { attemptTimeoutMs: Infinity })).toBe(1);
    // The lease's renewal retries until shutdown: no limit on the total time either.
    expect(await withDatabaseRetry("w", work, { maxMs: Infinity })).toBe(2);
  });

  test("registerExtension: a name is required, hooks are functions, misspelled hooks are named", async () => {
    const other = createDBOSContext({ appName: "ext", systemDatabaseUrl: db.url });
    expect(await failure(() => registerExtension(other, any({ onLaunch: async () => undefined })))).toMatch(
      /option name is required/,
    );
    expect(await failure(() => registerExtension(other, any({ name: "m", onlaunch: async () => undefined })))).toMatch(
      /registerExtension: unknown option onlaunch \(did you mean onLaunch\?\)/,
    );
    expect(await failure(() => registerExtension(other, any({ name: "m", onShutdown: "stop" })))).toMatch(
      /onShutdown must be a function/,
    );
    expect(await failure(() => registerExtension(other, { name: "m" }))).toBe("no error");
  });
});
