// Bad configuration and registration fail early with typed errors; extensions plug in.
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import {
  createDBOSContext,
  isDurablyError,
  launch,
  registerExtension,
  registerWorkflow,
  runDurableOperation,
  runWorkflow,
  shutdown,
  type DBOSContext,
} from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";
import { testContext } from "./support/test-context.js";
import { withSql } from "./support/with-sql.js";

const db = useTestDatabase({ template: migratedTemplate });

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return isDurablyError(error) ? `${error.code}: ${error.message}` : `not a DurablyError: ${String(error)}`;
  }
  return "no error";
};

test("invalid configs are INVALID_CONFIG errors that say what to fix, before any I/O", () => {
  const url = "postgres://u@h/db";
  expect(code(() => createDBOSContext({} as never))).toMatch(/^INVALID_CONFIG: .*appName is required/);
  expect(code(() => createDBOSContext({ appName: "a", systemDatabaseUrl: "mysql://x" }))).toMatch(/postgres:\/\//);
  expect(code(() => createDBOSContext({ appName: "a", systemDatabaseUrl: url, poolSize: 0 }))).toMatch(/poolSize/);
  expect(code(() => createDBOSContext({ appName: "a", systemDatabaseUrl: url, serializer: "xml" as never }))).toMatch(
    /serializer/,
  );
  expect(code(() => createDBOSContext({ appName: "a", systemDatabaseUrl: url, schema: "" }))).toMatch(
    /^INVALID_CONFIG: .*schema name/,
  );
  const compatible = (value: unknown) =>
    code(() => createDBOSContext({ appName: "a", systemDatabaseUrl: url, compatibleVersions: value as never }));
  expect(compatible("v1")).toMatch(/^INVALID_CONFIG: .*compatibleVersions/);
  expect(compatible(["v1", ""])).toMatch(/^INVALID_CONFIG: .*compatibleVersions/);
  expect(compatible(["v1", 2])).toMatch(/^INVALID_CONFIG: .*compatibleVersions/);
  expect(compatible(["v1", "v1"])).toMatch(/^INVALID_CONFIG: .*compatibleVersions lists a version twice/);
  expect(compatible(["v1", "v0"])).toBe("no error");
  expect(
    code(() => createDBOSContext({ appName: "a", systemDatabaseUrl: url, upgradeStrandedVersions: "yes" as never })),
  ).toMatch(/^INVALID_CONFIG: .*upgradeStrandedVersions/);
  const saved = process.env.DBOS_SYSTEM_DATABASE_URL;
  delete process.env.DBOS_SYSTEM_DATABASE_URL;
  try {
    expect(code(() => createDBOSContext({ appName: "a" }))).toMatch(/DBOS_SYSTEM_DATABASE_URL/);
  } finally {
    if (saved !== undefined) process.env.DBOS_SYSTEM_DATABASE_URL = saved;
  }
});

test("registration: anonymous functions, duplicate names and late registration are errors", async () => {
  const ctx = testContext(db.url);
  expect(code(() => registerWorkflow(ctx, (async () => 1) as never))).toMatch(/^REGISTRATION: .*anonymous/);
  registerWorkflow(ctx, async function once() {});
  expect(code(() => registerWorkflow(ctx, async function once() {}))).toMatch(/^REGISTRATION: .*already registered/);
  const other = testContext(db.url);
  const foreign = registerWorkflow(other, async function elsewhere() {});
  await expect(runWorkflow(ctx, foreign, undefined)).rejects.toSatisfy(
    (e) => isDurablyError(e, "LIFECYCLE") || isDurablyError(e, "WORKFLOW_NOT_REGISTERED"),
  );
  await launch(ctx);
  try {
    expect(code(() => registerWorkflow(ctx, async function late() {}))).toMatch(/^REGISTRATION: .*after launch/);
    await expect(runWorkflow(ctx, foreign, undefined)).rejects.toSatisfy((e) =>
      isDurablyError(e, "WORKFLOW_NOT_REGISTERED"),
    );
    await expect(launch(ctx)).rejects.toSatisfy((e) => isDurablyError(e, "LIFECYCLE"));
  } finally {
    await shutdown(ctx);
  }
  await expect(runWorkflow(ctx, foreign, undefined)).rejects.toSatisfy((e) => isDurablyError(e));
});

test(
  "launch against an unreachable server fails with DATABASE_UNAVAILABLE naming the host, and leaves nothing " + "open",
  async () => {
    const ctx = createDBOSContext({
      appName: "a",
      systemDatabaseUrl: "postgres://postgres@127.0.0.1:1/nowhere",
      connectTimeoutMs: 1000,
    });
    const error = await launch(ctx).catch((e: unknown) => e);
    expect(isDurablyError(error, "DATABASE_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toContain("Connection refused by 127.0.0.1:1:");
  },
);

test("getResult with a timeout gives up with TIMEOUT while the workflow keeps running", async () => {
  const ctx = testContext(db.url);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const wf = registerWorkflow(ctx, async function slow() {
    await gate;
    return "late";
  });
  await launch(ctx);
  try {
    const handle = await runWorkflow(ctx, wf, undefined);
    await expect(handle.getResult({ timeoutMs: 50 })).rejects.toSatisfy((e) => isDurablyError(e, "TIMEOUT"));
    release();
    expect(await handle.getResult()).toBe("late");
  } finally {
    await shutdown(ctx);
  }
});

test("extensions get lifecycle hooks, and runDurableOperation records under the next step ID and replays", async () => {
  const ctx = testContext(db.url);
  const events: string[] = [];
  registerExtension(ctx, {
    name: "recorder",
    onLaunch: async () => void events.push("launch"),
    onRecovered: async () => void events.push("recovered"),
    onShutdown: async () => void events.push("shutdown"),
  });
  expect(code(() => registerExtension(ctx, { name: "recorder" }))).toMatch(/^REGISTRATION/);
  let executions = 0;
  const wf = registerWorkflow(ctx, async function usesOperation(wctx: DBOSContext) {
    const first = await runDurableOperation(wctx, "ext.op", async (step) => (executions++, `op@${step?.stepID}`));
    return first;
  });
  await launch(ctx);
  try {
    expect(await (await runWorkflow(ctx, wf, undefined, { workflowID: "ext-1" })).getResult()).toBe("op@0");
    const rows = await withSql(
      db.url,
      (sql) => sql`select function_id, function_name from dbos.operation_outputs where workflow_uuid = 'ext-1'`,
    );
    expect(rows.map((r: any) => `${r.function_id}:${r.function_name}`)).toEqual(["0:ext.op"]);
    // Forked from step 1, the operation at step 0 is replayed, not re-run.
    const { forkWorkflow } = await import("../src/index.js");
    expect(await (await forkWorkflow<string>(ctx, "ext-1", { startStep: 1 })).getResult({ timeoutMs: 10_000 })).toBe(
      "op@0",
    );
    expect(executions).toBe(1);
  } finally {
    await shutdown(ctx);
  }
  expect(events).toEqual(["launch", "recovered", "shutdown"]);
});

test("collectGarbagePeriodically deletes finished workflows in the background, and stops at shutdown", async () => {
  const { collectGarbagePeriodically, listWorkflows } = await import("../src/index.js");
  const ctx = testContext(db.url);
  const wf = registerWorkflow(ctx, async function shortLived() {
    return 1;
  });
  collectGarbagePeriodically(ctx, { olderThanMs: 0, intervalMs: 100 });
  await launch(ctx);
  try {
    const handle = await runWorkflow(ctx, wf, undefined, { workflowID: "short-lived" });
    expect(await handle.getResult()).toBe(1);
    await expect.poll(async () => (await listWorkflows(ctx, { workflowIDs: ["short-lived"] })).length).toBe(0);
  } finally {
    await shutdown(ctx);
  }
});
