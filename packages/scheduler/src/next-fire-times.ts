// When a schedule fires next: its cron read in its time zone, for showing (the dashboard, the CLI).
import { CronSchedule } from "./cron-schedule.js";
import type { ScheduleInfo } from "./manage-schedules.js";

/**
 * The schedule's next `count` ticks strictly after `after` (default now); none while it is PAUSED.
 *
 * @example
 * nextFireTimes(await getSchedule(dbos, "nightly-report"), 3); // [Date, Date, Date]
 */
export function nextFireTimes(
  schedule: Pick<ScheduleInfo, "name" | "cron" | "timezone" | "status">,
  count = 1,
  after: Date = new Date(),
): Date[] {
  if (schedule.status === "PAUSED") return [];
  const cron = new CronSchedule(schedule.cron, schedule.timezone, schedule.name);
  const ticks: Date[] = [];
  for (let tick = cron.nextAfter(after); tick !== undefined && ticks.length < count; tick = cron.nextAfter(tick))
    ticks.push(tick);
  return ticks;
}
