// Schedules shared with DBOS 5.3.0 (dbos.workflow_schedules), both ways: what durably stores, DBOS's
// client reads and fires; what DBOS's client stores, durably reads and runs. A schedule's context
// has no serialization column, so it is always DBOS's superjson envelope (plain JSON still reads),
// and a tick's input is DBOS's two arguments (scheduled time, context) in the run's own format.
import type { DBOSClient } from "@dbos-inc/dbos-sdk";
import {
  createDBOSContext,
  forkWorkflow,
  launch,
  registerWorkflow,
  retrieveWorkflow,
  shutdown,
  type DBOSContext,
} from "@durably/core";
import {
  createSchedule,
  getSchedule,
  listSchedules,
  triggerSchedule,
  backfillSchedule,
  type ScheduledInput,
} from "@durably/scheduler";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDBOSClient, dbosSerializers } from "./support/dbos-client.js";
import { withRawSql } from "./support/raw-sql.js";

const db = useTestDatabase({ template: migratedTemplate });
const app = "interop-sched";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const context = { region: "eu", since: new Date("2026-03-04T05:06:07.000Z"), tags: new Set(["a"]) };

let durably: DBOSContext;
let portable: DBOSContext;
let dbos: DBOSClient;
let dbosPortable: DBOSClient;

/** A workflow that returns the input it got, so the test sees exactly what arrived. */
const echo = async (_ctx: DBOSContext, input: ScheduledInput) => input;

beforeAll(async () => {
  const make = (serializer: "js_superjson" | "portable_json", version: string) =>
    createDBOSContext({
      appName: app,
      systemDatabaseUrl: db.url,
      applicationVersion: version,
      logger: quiet,
      pollIntervalMs: 50,
      serializer,
    });
  durably = make("js_superjson", "sched-v1");
  registerWorkflow(durably, echo, { name: "echoTick" });
  await launch(durably);
  portable = createDBOSContext({
    appName: "interop-sched-portable",
    systemDatabaseUrl: db.url,
    applicationVersion: "sched-p1",
    logger: quiet,
    pollIntervalMs: 50,
    serializer: "portable_json",
  });
  // portable_json has no date type: report the time as text, and whether it arrived as a Date.
  registerWorkflow(
    portable,
    async (_ctx: DBOSContext, input: ScheduledInput) => ({
      at: input.scheduledTime.toISOString(),
      isDate: input.scheduledTime instanceof Date,
      context: input.context,
    }),
    { name: "echoTickPortable" },
  );
  await launch(portable);
  dbos = await createDBOSClient(db.url, app);
  dbosPortable = await createDBOSClient(db.url, app, dbosSerializers.portable);
});
afterAll(async () => {
  await dbos?.destroy();
  await dbosPortable?.destroy();
  await shutdown(durably);
  await shutdown(portable);
});

const storedContext = (name: string) =>
  withRawSql(
    db.url,
    async (sql) =>
      (await sql`select context, workflow_class_name from dbos.workflow_schedules where schedule_name = ${name}`)[0],
  );

describe("durably writes a schedule, DBOS reads it", () => {
  test("DBOS's getSchedule and listSchedules read a durably schedule's context as the value", async () => {
    await createSchedule(durably, { name: "d-ctx", workflow: "echoTick", cron: "0 3 * * *", context });
    const read = await dbos.getSchedule("d-ctx");
    expect(read?.context).toEqual(context);
    expect(read?.workflowName).toBe("echoTick");
    expect((await dbos.listSchedules()).find((s) => s.scheduleName === "d-ctx")?.context).toEqual(context);
  });

  test("a schedule without a context reads as DBOS's own schedule without one", async () => {
    await createSchedule(durably, { name: "d-none", workflow: "echoTick", cron: "0 3 * * *" });
    await dbos.createSchedule({ scheduleName: "dbos-none", workflowName: "echoTick", schedule: "0 3 * * *" });
    expect((await dbos.getSchedule("d-none"))?.context).toBeUndefined();
    expect(await storedContext("d-none")).toEqual(await storedContext("dbos-none"));
  });

  test("the stored context and class name are byte for byte what DBOS's client writes", async () => {
    await createSchedule(durably, { name: "d-bytes", workflow: "echoTick", cron: "0 3 * * *", context });
    await dbos.createSchedule({ scheduleName: "dbos-bytes", workflowName: "echoTick", schedule: "0 3 * * *", context });
    const mine = await storedContext("d-bytes");
    expect(mine).toEqual(await storedContext("dbos-bytes"));
    expect(mine?.workflow_class_name).toBe("");
  });

  test("DBOS's triggerSchedule runs a durably schedule's workflow with a ScheduledInput", async () => {
    await createSchedule(durably, { name: "d-trigger", workflow: "echoTick", cron: "0 3 * * *", context });
    const handle = await dbos.triggerSchedule("d-trigger");
    const got = await (await retrieveWorkflow<ScheduledInput>(durably, handle.workflowID)).getResult({
      timeoutMs: 15_000,
    });
    expect(got.context).toEqual(context);
    expect(got.scheduledTime).toBeInstanceOf(Date);
  });
});

describe("DBOS writes a schedule, durably reads and runs it", () => {
  test("durably's getSchedule and listSchedules read the context DBOS's client gave as the value", async () => {
    await dbos.createSchedule({ scheduleName: "dbos-ctx", workflowName: "echoTick", schedule: "0 3 * * *", context });
    expect((await getSchedule(durably, "dbos-ctx")).context).toEqual(context);
    expect((await listSchedules(durably)).find((s) => s.name === "dbos-ctx")?.context).toEqual(context);
  });

  test("a tick of a DBOS-made schedule reaches the durably workflow with the context as the value", async () => {
    await dbos.createSchedule({ scheduleName: "dbos-run", workflowName: "echoTick", schedule: "0 3 * * *", context });
    const got = await (await triggerSchedule<ScheduledInput>(durably, "dbos-run")).getResult({ timeoutMs: 15_000 });
    expect(got.context).toEqual(context);
    expect(got.scheduledTime).toBeInstanceOf(Date);
  });

  test("a context written in plain JSON (a portable DBOS client, or an older durably) still reads", async () => {
    await dbosPortable.createSchedule({
      scheduleName: "dbos-plain",
      workflowName: "echoTick",
      schedule: "0 3 * * *",
      context: { n: 1 },
    });
    expect((await storedContext("dbos-plain"))?.context).toBe('{"n":1}');
    expect((await getSchedule(durably, "dbos-plain")).context).toEqual({ n: 1 });
    const got = await (await triggerSchedule<ScheduledInput>(durably, "dbos-plain")).getResult({ timeoutMs: 15_000 });
    expect(got.context).toEqual({ n: 1 });
  });
});

describe("a tick's workflow row is what DBOS's scheduler writes", () => {
  test("js_superjson: DBOS reads the tick's input as its two arguments, scheduled time and context", async () => {
    await createSchedule(durably, { name: "d-args", workflow: "echoTick", cron: "0 3 * * *", context });
    const [handle] = await backfillSchedule(
      durably,
      "d-args",
      new Date("2026-05-01T00:00:00Z"),
      new Date("2026-05-02T00:00:00Z"),
    );
    await handle!.getResult({ timeoutMs: 15_000 });
    const [row] = await dbos.listWorkflows({ workflowIDs: [handle!.workflowID], loadInput: true });
    expect(row?.input).toEqual([new Date("2026-05-01T03:00:00.000Z"), context]);
    expect(row?.status).toBe("SUCCESS");
  });

  test(
    "portable_json: the tick's input is DBOS's portable " + "two arguments, and the workflow still gets a Date",
    async () => {
      await createSchedule(portable, {
        name: "p-args",
        workflow: "echoTickPortable",
        cron: "0 3 * * *",
        context: { n: 2 },
      });
      const [handle] = await backfillSchedule(
        portable,
        "p-args",
        new Date("2026-05-01T00:00:00Z"),
        new Date("2026-05-02T00:00:00Z"),
      );
      expect(await handle!.getResult({ timeoutMs: 15_000 })).toEqual({
        at: "2026-05-01T03:00:00.000Z",
        isDate: true,
        context: { n: 2 },
      });
      const [row] = await dbos.listWorkflows({ workflowIDs: [handle!.workflowID], loadInput: true });
      expect(row?.input).toEqual(["2026-05-01T03:00:00.000Z", { n: 2 }]);
      // The context itself is DBOS's superjson envelope in a portable_json application too, byte for
      // byte what DBOS's default client writes, which reads it as the value. (DBOS's two serializers
      // read only their own format: DBOS's portable client reads it, as it reads any schedule DBOS's
      // default client made, as the raw envelope; plain JSON would make DBOS's default client throw.)
      await dbos.createSchedule({
        scheduleName: "p-args-dbos",
        workflowName: "echoTickPortable",
        schedule: "0 3 * * *",
        context: { n: 2 },
      });
      expect(await storedContext("p-args")).toEqual(await storedContext("p-args-dbos"));
      expect((await dbos.getSchedule("p-args"))?.context).toEqual({ n: 2 });
      expect((await dbosPortable.getSchedule("p-args"))?.context).toEqual(
        (await dbosPortable.getSchedule("p-args-dbos"))?.context,
      );
    },
  );

  test("a fork of a tick keeps its schedule name and runs with a ScheduledInput again", async () => {
    await createSchedule(durably, { name: "d-fork", workflow: "echoTick", cron: "0 3 * * *", context });
    const [handle] = await backfillSchedule<ScheduledInput>(
      durably,
      "d-fork",
      new Date("2026-05-01T00:00:00Z"),
      new Date("2026-05-02T00:00:00Z"),
    );
    await handle!.getResult({ timeoutMs: 15_000 });
    const fork = await forkWorkflow<ScheduledInput>(durably, handle!.workflowID, { startStep: 0 });
    const got = await fork.getResult({ timeoutMs: 15_000 });
    expect(got).toEqual({ scheduledTime: new Date("2026-05-01T03:00:00.000Z"), context });
    const [row] = await dbos.listWorkflows({ workflowIDs: [fork.workflowID] });
    expect((row as { scheduleName?: string } | undefined)?.scheduleName).toBe("d-fork");
  });
});
