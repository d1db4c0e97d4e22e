// Creating, declaring, pausing, resuming and deleting schedules; reading them back.
import {
  deleteScheduleRecord,
  DurablyError,
  getScheduleRecord,
  listScheduleRecords,
  setScheduleStatus,
  upsertSchedule,
  type ScheduleRecord,
} from "@durably/sysdb";
import type { DBOSContext } from "@durably/core";
import { schedulerOf } from "./scheduler-state.js";
import { decodeScheduleContext, encodeScheduleContext } from "./schedule-context.js";
import { toScheduleDefinition, type ScheduleSpec } from "./schedule-spec.js";

export interface ScheduleInfo {
  readonly name: string;
  readonly workflowName: string;
  readonly cron: string;
  readonly timezone: string | undefined;
  readonly status: "ACTIVE" | "PAUSED";
  readonly queueName: string | undefined;
  readonly automaticBackfill: boolean;
  readonly context: unknown;
  /** The latest tick enqueued. */
  readonly lastFiredAt: Date | undefined;
}

/**
 * Creates a schedule (ACTIVE). A name that exists is a REGISTRATION error; use applySchedules to
 * declare schedules idempotently.
 *
 * @example
 * await createSchedule(dbos, { name: "nightly-report", workflow: report, cron: "0 2 * * *", timezone: "Europe/Berlin" });
 */
export async function createSchedule(ctx: DBOSContext, spec: ScheduleSpec): Promise<void> {
  const definition = toScheduleDefinition(spec);
  checkContextFormat(ctx, spec);
  ctx.runtime.assertRunning("create a schedule");
  requireApplication(ctx);
  if (!(await upsertSchedule(ctx.runtime.sysdb, definition, ctx.runtime.config.appName, { createOnly: true }))) {
    throw new DurablyError("REGISTRATION", `A schedule named ${definition.name} already exists. Pick another name, or use applySchedules to update it.`);
  }
  schedulerOf(ctx)?.poke();
}

/**
 * Declares schedules idempotently (typically at startup): creates missing ones and updates
 * changed ones, keeping their status and last tick. Schedules not listed are left alone.
 */
export async function applySchedules(ctx: DBOSContext, specs: readonly ScheduleSpec[]): Promise<void> {
  const definitions = specs.map(toScheduleDefinition);
  for (const spec of specs) checkContextFormat(ctx, spec);
  ctx.runtime.assertRunning("apply schedules");
  requireApplication(ctx);
  for (const definition of definitions) {
    if (!(await upsertSchedule(ctx.runtime.sysdb, definition, ctx.runtime.config.appName, { createOnly: false }))) {
      throw new DurablyError("REGISTRATION", `Schedule ${definition.name} belongs to another application in this system database; schedule names are unique across applications.`);
    }
  }
  schedulerOf(ctx)?.poke();
}

/** Stops firing a schedule until resumeSchedule. */
export function pauseSchedule(ctx: DBOSContext, name: string): Promise<void> {
  return setStatus(ctx, name, "PAUSED");
}

/** Fires a paused schedule again (from its next tick; missed ticks follow automaticBackfill). */
export function resumeSchedule(ctx: DBOSContext, name: string): Promise<void> {
  return setStatus(ctx, name, "ACTIVE");
}

/** Deletes a schedule; ticks already enqueued still run. */
export async function deleteSchedule(ctx: DBOSContext, name: string): Promise<void> {
  ctx.runtime.assertRunning("delete a schedule");
  if (!(await deleteScheduleRecord(ctx.runtime.sysdb, name, ctx.runtime.applicationScope))) throw notFound(name);
  schedulerOf(ctx)?.poke();
}

/** One schedule by name; SCHEDULE_NOT_FOUND if there is none. */
export async function getSchedule(ctx: DBOSContext, name: string): Promise<ScheduleInfo> {
  ctx.runtime.assertRunning("read a schedule");
  const record = await getScheduleRecord(ctx.runtime.sysdb, name);
  if (record === undefined) throw notFound(name);
  return toScheduleInfo(record);
}

/** The application's schedules, by name. */
export async function listSchedules(ctx: DBOSContext): Promise<ScheduleInfo[]> {
  ctx.runtime.assertRunning("list schedules");
  return (await listScheduleRecords(ctx.runtime.sysdb, ctx.runtime.applicationScope)).map(toScheduleInfo);
}

async function setStatus(ctx: DBOSContext, name: string, status: "ACTIVE" | "PAUSED"): Promise<void> {
  ctx.runtime.assertRunning(`${status === "PAUSED" ? "pause" : "resume"} a schedule`);
  if (!(await setScheduleStatus(ctx.runtime.sysdb, name, status, ctx.runtime.applicationScope))) throw notFound(name);
  schedulerOf(ctx)?.poke();
}

/** A portable_json application's ticks store the context in portable_json: check it can. */
function checkContextFormat(ctx: DBOSContext, spec: ScheduleSpec): void {
  if (ctx.runtime.config.serializer === "portable_json") encodeScheduleContext(spec.context, "portable_json", spec.name);
}

function requireApplication(ctx: DBOSContext): void {
  if (ctx.runtime.applicationScope === undefined) {
    throw new DurablyError("INVALID_CONFIG", "Schedules belong to an application: create the client with { appName } to create one.");
  }
}

export function notFound(name: string): DurablyError {
  return new DurablyError("SCHEDULE_NOT_FOUND", `There is no schedule named ${name} for this application.`);
}

function toScheduleInfo(r: ScheduleRecord): ScheduleInfo {
  return Object.freeze({
    name: r.name,
    workflowName: r.workflowName,
    cron: r.cron,
    timezone: r.timezone ?? undefined,
    status: r.status,
    queueName: r.queueName ?? undefined,
    automaticBackfill: r.automaticBackfill,
    context: decodeScheduleContext(r),
    lastFiredAt: r.lastFiredAt === null ? undefined : new Date(r.lastFiredAt),
  });
}
