// Schedule specs and scheduler options refuse unknown keys (a misspelled timeZone would silently
// read the cron in UTC) with a typed error naming the key, before anything is stored.
import { failureOf } from "@durably/testing";
import { createDBOSContext, isDurablyError, launch, shutdown, type DBOSContext } from "@durably/core";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  applySchedules,
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  startScheduler,
  triggerSchedule,
} from "../src/index.js";
import { migratedTemplate } from "@durably/sysdb";

const db = useTestDatabase({ template: migratedTemplate });
// Lets a test pass what the types forbid, so it reaches the runtime checks.
const any = (value: unknown) => value as any;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const context = () =>
  createDBOSContext({ appName: "sched-options", systemDatabaseUrl: db.url, applicationVersion: "s-v1", logger: quiet });

/** `CODE: message` of what `fn` threw or rejected with. */
const failure = (fn: () => unknown) => failureOf(fn, isDurablyError, "DurablyError");

let ctx: DBOSContext;
beforeAll(async () => {
  ctx = context();
  await launch(ctx);
});
afterAll(() => shutdown(ctx));

test("createSchedule: DBOS-style keys are refused, naming the accepted ones, and nothing is stored", async () => {
  const spec = { name: "nightly", workflow: "report", cron: "0 2 * * *" };
  expect(await failure(() => createSchedule(ctx, any({ ...spec, timeZone: "Europe/Berlin" })))).toMatch(
    new RegExp(
      /^INVALID_ARGUMENT: Schedule nightly: unknown option timeZone \(did you mean timezone\?\); /.source +
        /the accepted options are name, workflow, cron, timezone, queue, automaticBackfill, context\./.source,
    ),
  );
  expect(await failure(() => createSchedule(ctx, any({ ...spec, automaticBackfill: "yes" })))).toMatch(
    /automaticBackfill must be true or false/,
  );
  expect(await failure(() => createSchedule(ctx, any({ ...spec, queue: "" })))).toMatch(
    /queue must be a non-empty name/,
  );
  expect(await listSchedules(ctx)).toEqual([]);
});

test("startScheduler: an unknown key or a bad interval is refused", async () => {
  expect(await failure(() => startScheduler(context(), any({ pollingIntervalSec: 5 })))).toMatch(
    /startScheduler: unknown option pollingIntervalSec; the accepted options are pollingIntervalMs\./,
  );
  expect(await failure(() => startScheduler(context(), { pollingIntervalMs: Infinity }))).toMatch(
    /pollingIntervalMs must be a finite number > 0/,
  );
});

test("applySchedules takes an array of specs (a single spec was a TypeError)", async () => {
  const spec = { name: "nightly", workflow: "report", cron: "0 2 * * *" };
  expect(await failure(() => applySchedules(ctx, any(spec)))).toBe(
    "INVALID_ARGUMENT: applySchedules: specs must be an array, got an object.",
  );
  expect(await listSchedules(ctx)).toEqual([]);
});

test("the functions that take a schedule's name refuse one that is not a non-empty string", async () => {
  const byName: Array<[string, (name: unknown) => unknown]> = [
    ["getSchedule", (name) => getSchedule(ctx, any(name))],
    ["pauseSchedule", (name) => pauseSchedule(ctx, any(name))],
    ["resumeSchedule", (name) => resumeSchedule(ctx, any(name))],
    ["deleteSchedule", (name) => deleteSchedule(ctx, any(name))],
    ["triggerSchedule", (name) => triggerSchedule(ctx, any(name))],
    ["backfillSchedule", (name) => backfillSchedule(ctx, any(name), new Date(0), new Date(1))],
  ];
  for (const [where, call] of byName) {
    expect(await failure(() => call(7))).toBe(`INVALID_ARGUMENT: ${where}: name must be a string, got 7.`);
    expect(await failure(() => call(""))).toBe(`INVALID_ARGUMENT: ${where}: name must be a non-empty string, got "".`);
  }
});
