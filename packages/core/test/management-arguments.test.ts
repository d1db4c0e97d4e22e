// The management functions refuse a first argument that is not a context, and workflow IDs that are
// not non-empty strings, with INVALID_ARGUMENT naming the argument and before any statement: from
// JavaScript, an ID passed as a number quietly matched nothing (getWorkflowSteps returned []) and a
// list passed as a string reached Postgres (cancelWorkflows failed with its raw error 22023).
import { failureOf } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  cancelWorkflow,
  cancelWorkflows,
  enqueueMany,
  forkWorkflow,
  getWorkflowSteps,
  isDurablyError,
  launch,
  listExecutors,
  listWorkflows,
  registerWorkflow,
  resumeWorkflow,
  resumeWorkflows,
  retrieveWorkflow,
  runWorkflow,
  shutdown,
  sleep,
  type DBOSContext,
} from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";
import { testContext } from "./support/test-context.js";

const db = useTestDatabase({ template: migratedTemplate });
// Lets a test pass what the types forbid, so it reaches the runtime checks.
const any = (value: unknown) => value as any;
/** `CODE: message` of what `fn` threw or rejected with. */
const failure = (fn: () => unknown) => failureOf(fn, isDurablyError, "DurablyError");

let ctx: DBOSContext;
const statements: string[] = [];
let cancelsFromInside: ReturnType<typeof registerWorkflow<unknown, unknown>>;

beforeAll(async () => {
  ctx = testContext(db.url, { appName: "management-arguments", onQuery: (sql) => void statements.push(sql) });
  cancelsFromInside = registerWorkflow(
    ctx,
    async (wctx: DBOSContext, ids: unknown) => cancelWorkflows(wctx, any(ids)),
    { name: "cancels-from-inside" },
  );
  await launch(ctx);
});
afterAll(() => shutdown(ctx));

test("a workflow ID that is not a non-empty string is named, before any statement", async () => {
  const before = statements.length;
  const calls: Array<[string, (id: unknown) => unknown]> = [
    ["getWorkflowSteps", (id) => getWorkflowSteps(ctx, any(id))],
    ["retrieveWorkflow", (id) => retrieveWorkflow(ctx, any(id))],
    ["cancelWorkflow", (id) => cancelWorkflow(ctx, any(id))],
    ["resumeWorkflow", (id) => resumeWorkflow(ctx, any(id))],
    ["forkWorkflow", (id) => forkWorkflow(ctx, any(id), { startStep: 0 })],
  ];
  for (const [name, call] of calls) {
    expect(await failure(() => call(42))).toBe(`INVALID_ARGUMENT: ${name}: workflowID must be a string, got 42.`);
    expect(await failure(() => call(undefined))).toBe(
      `INVALID_ARGUMENT: ${name}: workflowID must be a string, got undefined.`,
    );
    expect(await failure(() => call(""))).toBe(
      `INVALID_ARGUMENT: ${name}: workflowID must be a non-empty string, got "".`,
    );
  }
  expect(statements.length).toBe(before);
  // A well-formed ID that names no workflow is still NONEXISTENT_WORKFLOW.
  expect(await failure(() => cancelWorkflow(ctx, "no-such-workflow"))).toMatch(/^NONEXISTENT_WORKFLOW/);
});

test("cancelWorkflows and resumeWorkflows take an array of IDs, each checked", async () => {
  const before = statements.length;
  expect(await failure(() => cancelWorkflows(ctx, any("order-42")))).toBe(
    'INVALID_ARGUMENT: cancelWorkflows: workflowIDs must be an array, got "order-42".',
  );
  expect(await failure(() => resumeWorkflows(ctx, any({ ids: [] })))).toBe(
    "INVALID_ARGUMENT: resumeWorkflows: workflowIDs must be an array, got an object.",
  );
  expect(await failure(() => cancelWorkflows(ctx, any(["a", 7])))).toBe(
    "INVALID_ARGUMENT: cancelWorkflows: workflowIDs[1] must be a string, got 7.",
  );
  expect(statements.length).toBe(before);
  expect(await cancelWorkflows(ctx, [])).toEqual([]);
});

test("inside a workflow, a bad list fails the call without taking a step", async () => {
  const handle = await runWorkflow(ctx, cancelsFromInside, "order-42", { workflowID: "inside-bad-list" });
  expect(await failure(() => handle.getResult())).toBe(
    'INVALID_ARGUMENT: cancelWorkflows: workflowIDs must be an array, got "order-42".',
  );
  expect(await getWorkflowSteps(ctx, "inside-bad-list")).toEqual([]);
});

test("a first argument that is not a context is named", async () => {
  expect(await failure(() => listWorkflows(any(undefined)))).toBe(
    "INVALID_ARGUMENT: listWorkflows's first argument must be a DBOSContext (from createDBOSContext or createClient).",
  );
  expect(await failure(() => getWorkflowSteps(any({ runtime: {} }), "x"))).toMatch(
    /^INVALID_ARGUMENT: getWorkflowSteps's first argument must be a DBOSContext/,
  );
  expect(await failure(() => listExecutors(any("dbos")))).toMatch(
    /^INVALID_ARGUMENT: listExecutors's first argument must be a DBOSContext/,
  );
  // Not a management function, but the same slip: it was a TypeError reading the context's clock.
  expect(await failure(() => sleep(any(5), 10))).toBe(
    "INVALID_ARGUMENT: sleep's first argument must be a DBOSContext (the workflow's, inside one).",
  );
  // The starting functions say the same, through the same check.
  for (const [where, call] of [
    ["registerWorkflow", () => registerWorkflow(any(null), async () => 1)],
    ["runWorkflow", () => runWorkflow(any({}), cancelsFromInside, "x")],
    ["enqueueMany", () => enqueueMany(any("dbos"), [])],
  ] as const) {
    expect(await failure(call)).toBe(
      `INVALID_ARGUMENT: ${where}'s first argument must be a DBOSContext (from createDBOSContext or createClient).`,
    );
  }
});
