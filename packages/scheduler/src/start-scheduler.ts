// startScheduler: make this process one of the workers that fire the application's schedules.
import { checkOptions, DurablyError } from "@durably/sysdb";
import type { DBOSContext } from "@durably/core";
import { createSchedulerState, schedulerOf, type SchedulerOptions } from "./scheduler-state.js";
import { extensionHost } from "@durably/core/extension";

/**
 * Runs the scheduler in this process from launch on. Any number of processes may run it: each
 * tick still runs once. Call before launch.
 *
 * @example
 * startScheduler(dbos);
 * await launch(dbos);
 */
export function startScheduler(ctx: DBOSContext, options: SchedulerOptions = {}): void {
  if (extensionHost(ctx).state !== "created")
    throw new DurablyError("LIFECYCLE", "startScheduler must be called before launch.");
  if (schedulerOf(ctx) !== undefined)
    throw new DurablyError("REGISTRATION", "startScheduler was already called on this context.");
  checkOptions("startScheduler", options, { pollingIntervalMs: { type: "number", above: 0 } });
  createSchedulerState(ctx, options);
}
