// What a user declares for a schedule, checked and turned into the stored definition.
import { checkOptions, DurablyError } from "@durably/sysdb";
import { internalQueueName, type ScheduleDefinition } from "@durably/sysdb/queries";
import type { Workflow } from "@durably/core";
import { encodeScheduleContext } from "./schedule-context.js";
import { CronSchedule } from "./cron-schedule.js";

/** The input a scheduled workflow receives. */
export interface ScheduledInput<Context = unknown> {
  /** The tick's scheduled time (not the time it happened to run). */
  readonly scheduledTime: Date;
  /** The schedule's context, as given at creation. */
  readonly context: Context;
}

export interface ScheduleSpec<Context = unknown> {
  /** Unique across applications in the system database. */
  readonly name: string;
  /** The workflow to run each tick (or its registered name): it receives a {@link ScheduledInput}. */
  readonly workflow: Workflow<ScheduledInput<Context>, unknown> | string;
  /** 5 fields, 6 with seconds first, or a descriptor such as @hourly. */
  readonly cron: string;
  /** IANA time zone the cron is read in. Default UTC. */
  readonly timezone?: string;
  /** Queue the ticks are enqueued on. Default: the internal queue (any worker of the app runs them). */
  readonly queue?: string | { readonly name: string };
  /** Run ticks missed while every worker was down, when a worker starts again. Default false (skip them). */
  readonly automaticBackfill?: boolean;
  /**
   * Handed to every tick. Stored as DBOS stores a schedule's context (its superjson envelope), so
   * Date, Map, Set and BigInt survive; a `portable_json` application's ticks need a JSON value.
   */
  readonly context?: Context;
}

/** Validates a spec; every problem is an INVALID_ARGUMENT naming the field. */
export function toScheduleDefinition(spec: ScheduleSpec): ScheduleDefinition {
  if (typeof spec !== "object" || spec === null)
    throw new DurablyError("INVALID_ARGUMENT", "A schedule needs { name, workflow, cron }.");
  checkOptions(`Schedule ${typeof spec.name === "string" ? spec.name : "(unnamed)"}`, spec, {
    // Presence of name, workflow and cron is checked below, with hints of their own.
    name: { type: "any" },
    workflow: { type: "any" },
    cron: { type: "any" },
    timezone: { type: "string", nonEmpty: true },
    queue: { type: "name-or-named" },
    automaticBackfill: { type: "boolean" },
    context: { type: "any" },
  });
  const name = spec.name;
  if (typeof name !== "string" || name === "" || name.length > 255) {
    throw new DurablyError(
      "INVALID_ARGUMENT",
      `Schedule name must be a non-empty string of at most 255 characters, got ${JSON.stringify(name)}.`,
    );
  }
  const workflowName = typeof spec.workflow === "string" ? spec.workflow : spec.workflow?.name;
  if (typeof workflowName !== "string" || workflowName === "") {
    throw new DurablyError("INVALID_ARGUMENT", `Schedule ${name}: workflow must be a registered workflow or its name.`);
  }
  new CronSchedule(spec.cron, spec.timezone, name);
  const context = encodeScheduleContext(spec.context, "js_superjson", name);
  const queue =
    spec.queue === undefined ? internalQueueName : typeof spec.queue === "string" ? spec.queue : spec.queue.name;
  return {
    name,
    workflowName,
    cron: spec.cron.trim(),
    context,
    automaticBackfill: spec.automaticBackfill ?? false,
    timezone: spec.timezone ?? null,
    queueName: queue,
  };
}
