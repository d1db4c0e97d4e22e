// triggerSchedule and backfillSchedule: run a schedule's workflow now, or for past ticks.
import { DurablyError } from "@durably/sysdb";
import { getScheduleRecord } from "@durably/sysdb/queries";
import type { DBOSContext, WorkflowHandle } from "@durably/core";
import { extensionHost, createWorkflowHandle } from "@durably/core/extension";
import { CronSchedule } from "./cron-schedule.js";
import { enqueueTick } from "./enqueue-tick.js";
import { checkScheduleName, notFound } from "./manage-schedules.js";

/**
 * Runs the schedule's workflow now, once, as `sched-<name>-trigger-<ISO now>`, with the current
 * time as its scheduled time.
 */
export async function triggerSchedule<Output = unknown>(
  ctx: DBOSContext,
  name: string,
): Promise<WorkflowHandle<Output>> {
  checkScheduleName("triggerSchedule", name);
  extensionHost(ctx).assertRunning("trigger a schedule");
  const record = await getScheduleRecord(extensionHost(ctx).sysdb, name);
  if (record === undefined) throw notFound(name);
  const now = new Date(extensionHost(ctx).now());
  const id = await enqueueTick(ctx, record, now, `sched-${name}-trigger-${now.toISOString()}`);
  return createWorkflowHandle<Output>(ctx, id);
}

/**
 * Enqueues every tick of the schedule in [from, to) that has not run yet (ticks that did are
 * left alone, by their workflow IDs). Returns their handles in tick order.
 *
 * @example
 * await backfillSchedule(dbos, "hourly-sync", new Date("2026-11-20T00:00Z"), new Date("2026-11-21T00:00Z"));
 */
export async function backfillSchedule<Output = unknown>(
  ctx: DBOSContext,
  name: string,
  from: Date,
  to: Date,
): Promise<Array<WorkflowHandle<Output>>> {
  checkScheduleName("backfillSchedule", name);
  if (
    !(from instanceof Date) ||
    !(to instanceof Date) ||
    Number.isNaN(from.getTime()) ||
    Number.isNaN(to.getTime()) ||
    from > to
  ) {
    throw new DurablyError("INVALID_ARGUMENT", "backfillSchedule needs two valid Dates with from <= to.");
  }
  extensionHost(ctx).assertRunning("backfill a schedule");
  const record = await getScheduleRecord(extensionHost(ctx).sysdb, name);
  if (record === undefined) throw notFound(name);
  const cron = new CronSchedule(record.cron, record.timezone ?? undefined, name);
  const handles: Array<WorkflowHandle<Output>> = [];
  for (const tick of cron.ticksBetween(from, to))
    handles.push(createWorkflowHandle<Output>(ctx, await enqueueTick(ctx, record, tick)));
  return handles;
}
