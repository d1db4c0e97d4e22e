// @durably/scheduler: cron schedules whose ticks run exactly once, however many workers fire them.
//
// Its job: store schedules in dbos.workflow_schedules, fire each tick by the database clock as a
// workflow whose ID is derived from the schedule and the tick (so duplicates are impossible),
// backfill missed ticks on request, and pick up edits made anywhere. It may import @durably/core
// (public API and ./internal), @durably/sysdb (queries) and croner; it speaks no SQL itself.
export { startScheduler } from "./start-scheduler.js";
export type { SchedulerOptions } from "./scheduler-state.js";
export type { ScheduleSpec, ScheduledInput } from "./schedule-spec.js";
export {
  createSchedule,
  applySchedules,
  pauseSchedule,
  resumeSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  type ScheduleInfo,
} from "./manage-schedules.js";
export { triggerSchedule, backfillSchedule } from "./run-schedule-now.js";
export { tickWorkflowID } from "./enqueue-tick.js";
export { nextFireTimes } from "./next-fire-times.js";
