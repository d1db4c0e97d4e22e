// @durably/scheduler as the README shows it, from plain JavaScript: a schedule firing every second
// runs its workflow at least twice, once per tick, with the tick's time and the schedule's context.
//   node schedule.mjs <system database url>
import { createDBOSContext, getWorkflowID, launch, registerWorkflow, runAsStep, shutdown } from "@durably/core";
import { applySchedules, deleteSchedule, startScheduler, tickWorkflowID } from "@durably/scheduler";
import { check, deadline, waitFor } from "./report.mjs";

const [url] = process.argv.slice(2);
if (!url) throw new Error("usage: node schedule.mjs <system database url>");
deadline(30_000, "@durably/scheduler");

const dbos = createDBOSContext({ appName: "installed-scheduler", systemDatabaseUrl: url });
const ticks = []; // [workflowID, scheduledTime, context] of each tick run
const everySecond = registerWorkflow(
  dbos,
  async (ctx, { scheduledTime, context }) => {
    await runAsStep(ctx, async () => ticks.push([getWorkflowID(ctx), scheduledTime, context]), { name: "note" });
  },
  { name: "everySecond" },
);
startScheduler(dbos);
await launch(dbos);
try {
  await applySchedules(dbos, [
    { name: "installed-every-second", workflow: everySecond, cron: "* * * * * *", context: { to: "ops" } },
  ]);
  await waitFor(
    () => ticks,
    (t) => t.length >= 2,
    15_000,
  );
  await deleteSchedule(dbos, "installed-every-second");
  const times = ticks.map(([, time]) => time);
  check(
    ticks.length >= 2 && times.every((t) => t instanceof Date && t.getMilliseconds() === 0),
    "@durably/scheduler: a schedule every second fired its workflow at least twice (within 15 s)",
    JSON.stringify(ticks),
  );
  check(
    new Set(ticks.map(([id]) => id)).size === ticks.length &&
      ticks.every(
        ([id, time, context]) => id === tickWorkflowID("installed-every-second", time) && context?.to === "ops",
      ),
    "@durably/scheduler: each tick runs once under its tick's workflow ID, with the schedule's context",
    JSON.stringify(ticks),
  );
} finally {
  await shutdown(dbos);
}
