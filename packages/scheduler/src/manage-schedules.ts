// Creating, declaring, pausing, resuming and deleting schedules; reading them back.
import { checkArgument, DurablyError } from "@durably/sysdb";
import {
  deleteScheduleRecord,
  getScheduleRecord,
  listScheduleRecords,
  setScheduleStatus,
  upsertSchedule,
  type ScheduleRecord,
} from "@durably/sysdb/queries";
import type { DBOSContext } from "@durably/core";
import { schedulerOf } from "./scheduler-state.js";
import { decodeScheduleContext, encodeScheduleContext } from "./schedule-context.js";
import { toScheduleDefinition, type ScheduleSpec } from "./schedule-spec.js";
import { extensionHost } from "@durably/core/extension";

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
 * await createSchedule(dbos, {
 *   name: "nightly-report",
 *   workflow: report,
 *   cron: "0 2 * * *",
 *   timezone: "Europe/Berlin",
 * });
 */
export async function createSchedule(ctx: DBOSContext, spec: ScheduleSpec): Promise<void> {
  const definition = toScheduleDefinition(spec);
  checkContextFormat(ctx, spec);
  extensionHost(ctx).assertRunning("create a schedule");
  requireApplication(ctx);
  if (!(await upsertSchedule(extensionHost(ctx).sysdb, definition, extensionHost(ctx).appName, { createOnly: true }))) {
    throw new DurablyError(
      "REGISTRATION",
      `A schedule named ${definition.name} already exists. Pick another name, or use applySchedules to update it.`,
    );
  }
  schedulerOf(ctx)?.poke();
}

/**
 * Declares schedules idempotently (typically at startup): creates missing ones and updates
 * changed ones, keeping their status and last tick. Schedules not listed are left alone.
 */
export async function applySchedules(ctx: DBOSContext, specs: readonly ScheduleSpec[]): Promise<void> {
  checkArgument("applySchedules", "specs", specs, { type: "array" });
  const definitions = specs.map(toScheduleDefinition);
  for (const spec of specs) checkContextFormat(ctx, spec);
  extensionHost(ctx).assertRunning("apply schedules");
  requireApplication(ctx);
  for (const definition of definitions) {
    if (
      !(await upsertSchedule(extensionHost(ctx).sysdb, definition, extensionHost(ctx).appName, { createOnly: false }))
    ) {
      throw new DurablyError(
        "REGISTRATION",
        `Schedule ${definition.name} belongs to another application in this system database; schedule names ` +
          `are unique across applications.`,
      );
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
  checkScheduleName("deleteSchedule", name);
  extensionHost(ctx).assertRunning("delete a schedule");
  if (!(await deleteScheduleRecord(extensionHost(ctx).sysdb, name, extensionHost(ctx).applicationScope)))
    throw notFound(name);
  schedulerOf(ctx)?.poke();
}

/** One schedule by name; SCHEDULE_NOT_FOUND if there is none. */
export async function getSchedule(ctx: DBOSContext, name: string): Promise<ScheduleInfo> {
  checkScheduleName("getSchedule", name);
  extensionHost(ctx).assertRunning("read a schedule");
  const record = await getScheduleRecord(extensionHost(ctx).sysdb, name);
  if (record === undefined) throw notFound(name);
  return toScheduleInfo(record);
}

/** The application's schedules, by name. */
export async function listSchedules(ctx: DBOSContext): Promise<ScheduleInfo[]> {
  extensionHost(ctx).assertRunning("list schedules");
  return (await listScheduleRecords(extensionHost(ctx).sysdb, extensionHost(ctx).applicationScope)).map(toScheduleInfo);
}

async function setStatus(ctx: DBOSContext, name: string, status: "ACTIVE" | "PAUSED"): Promise<void> {
  checkScheduleName(status === "PAUSED" ? "pauseSchedule" : "resumeSchedule", name);
  extensionHost(ctx).assertRunning(`${status === "PAUSED" ? "pause" : "resume"} a schedule`);
  if (!(await setScheduleStatus(extensionHost(ctx).sysdb, name, status, extensionHost(ctx).applicationScope)))
    throw notFound(name);
  schedulerOf(ctx)?.poke();
}

/** A portable_json application's ticks store the context in portable_json: check it can. */
function checkContextFormat(ctx: DBOSContext, spec: ScheduleSpec): void {
  if (extensionHost(ctx).serializer === "portable_json")
    encodeScheduleContext(spec.context, "portable_json", spec.name);
}

function requireApplication(ctx: DBOSContext): void {
  if (extensionHost(ctx).applicationScope === undefined) {
    throw new DurablyError(
      "INVALID_CONFIG",
      "Schedules belong to an application: create the client with { appName } to create one.",
    );
  }
}

/** INVALID_ARGUMENT unless `name` is a non-empty string (JavaScript callers can pass anything). */
export function checkScheduleName(where: string, name: unknown): void {
  checkArgument(where, "name", name, { type: "string", nonEmpty: true });
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
