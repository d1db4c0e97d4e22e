// Cron schedules (dbos.workflow_schedules), owned by one application.
import type { Expression, ExpressionBuilder, Selectable, SqlBool } from "kysely";
import type { Queryable } from "../queryable.js";
import { newScheduleID } from "../short-id.js";
import type { SystemSchema, WorkflowSchedulesTable } from "../tables.js";

export interface ScheduleRecord {
  readonly scheduleID: string;
  readonly name: string;
  readonly workflowName: string;
  readonly cron: string;
  readonly status: "ACTIVE" | "PAUSED";
  /** The context's text: DBOS's superjson envelope (plain JSON in older rows). */
  readonly context: string;
  /** ISO time of the latest tick enqueued, if any. */
  readonly lastFiredAt: string | null;
  readonly automaticBackfill: boolean;
  readonly timezone: string | null;
  readonly queueName: string | null;
  readonly applicationName: string | null;
}

export type ScheduleDefinition = Omit<ScheduleRecord, "scheduleID" | "status" | "lastFiredAt" | "applicationName">;

/**
 * Creates a schedule, or updates its definition keeping its ID, status and last tick. Returns
 * false, changing nothing, when another application owns the name; with `createOnly`, also when
 * the name exists at all.
 */
export async function upsertSchedule(
  on: Queryable,
  d: ScheduleDefinition,
  applicationName: string,
  options: { createOnly: boolean },
): Promise<boolean> {
  // schedule_id: nanoid (short-id.ts); DBOS reads it as an opaque key and finds schedules by name.
  const insert = on.db.insertInto("workflow_schedules").values({
    schedule_id: newScheduleID(),
    schedule_name: d.name,
    workflow_name: d.workflowName,
    workflow_class_name: "",
    schedule: d.cron,
    status: "ACTIVE",
    context: d.context,
    automatic_backfill: d.automaticBackfill,
    cron_timezone: d.timezone,
    queue_name: d.queueName,
    application_name: applicationName,
  });
  const rows = await insert
    .onConflict((oc) =>
      options.createOnly
        ? oc.column("schedule_name").doNothing()
        : oc
            .column("schedule_name")
            .doUpdateSet((eb) => ({
              workflow_name: eb.ref("excluded.workflow_name"),
              schedule: eb.ref("excluded.schedule"),
              context: eb.ref("excluded.context"),
              automatic_backfill: eb.ref("excluded.automatic_backfill"),
              cron_timezone: eb.ref("excluded.cron_timezone"),
              queue_name: eb.ref("excluded.queue_name"),
            }))
            .where((eb) =>
              eb.or([
                eb("workflow_schedules.application_name", "=", applicationName),
                eb("workflow_schedules.application_name", "is", null),
              ]),
            ),
    )
    .returning("schedule_id")
    .execute();
  return rows.length === 1;
}

/** One schedule by name, whoever owns it. */
export async function getScheduleRecord(on: Queryable, name: string): Promise<ScheduleRecord | undefined> {
  const row = await on.db
    .selectFrom("workflow_schedules")
    .selectAll()
    .where("schedule_name", "=", name)
    .executeTakeFirst();
  return row === undefined ? undefined : toScheduleRecord(row);
}

/** The schedules of an application (and unclaimed ones), by name. */
export async function listScheduleRecords(
  on: Queryable,
  applicationName: string | undefined,
): Promise<ScheduleRecord[]> {
  const rows = await on.db
    .selectFrom("workflow_schedules")
    .selectAll()
    .where((eb) => ownedBy(eb, applicationName))
    .orderBy("schedule_name")
    .execute();
  return rows.map(toScheduleRecord);
}

/** Sets ACTIVE or PAUSED; false if the application (any, when undefined) has no such schedule. */
export async function setScheduleStatus(
  on: Queryable,
  name: string,
  status: "ACTIVE" | "PAUSED",
  applicationName: string | undefined,
): Promise<boolean> {
  const rows = await on.db
    .updateTable("workflow_schedules")
    .set({ status })
    .where("schedule_name", "=", name)
    .where((eb) => ownedBy(eb, applicationName))
    .returning("schedule_id")
    .execute();
  return rows.length === 1;
}

/** Deletes a schedule; false if the application has no such schedule. */
export async function deleteScheduleRecord(
  on: Queryable,
  name: string,
  applicationName: string | undefined,
): Promise<boolean> {
  const rows = await on.db
    .deleteFrom("workflow_schedules")
    .where("schedule_name", "=", name)
    .where((eb) => ownedBy(eb, applicationName))
    .returning("schedule_id")
    .execute();
  return rows.length === 1;
}

/** Advances the schedule's last tick to `tickIso` (never backwards). */
export async function recordScheduleFired(on: Queryable, name: string, tickIso: string): Promise<void> {
  await on.db
    .updateTable("workflow_schedules")
    .set({ last_fired_at: tickIso })
    .where("schedule_name", "=", name)
    .where((eb) => eb.or([eb("last_fired_at", "is", null), eb("last_fired_at", "<", tickIso)]))
    .execute();
}

/** The database clock minus this process's clock, in ms (to correct a skewed host clock). */
export async function measureClockOffset(on: Queryable): Promise<number> {
  const before = Date.now();
  const row = await on.db
    // date_part, not extract(epoch from …): Kysely has no extract; date_part is its function form.
    .selectNoFrom((eb) =>
      eb(eb.fn<number>("date_part", [eb.val("epoch"), eb.fn("clock_timestamp")]), "*", eb.lit(1000)).as("now"),
    )
    .executeTakeFirstOrThrow();
  const after = Date.now();
  return Number(row.now) - (before + after) / 2;
}

/** The rows `applicationName` may see and change: its own and unclaimed ones; every row when undefined. */
function ownedBy(
  eb: ExpressionBuilder<SystemSchema, "workflow_schedules">,
  applicationName: string | undefined,
): Expression<SqlBool> {
  if (applicationName === undefined) return eb.lit(true);
  return eb.or([eb("application_name", "=", applicationName), eb("application_name", "is", null)]);
}

function toScheduleRecord(r: Selectable<WorkflowSchedulesTable>): ScheduleRecord {
  return {
    scheduleID: r.schedule_id,
    name: r.schedule_name,
    workflowName: r.workflow_name,
    cron: r.schedule,
    status: r.status,
    context: r.context,
    lastFiredAt: r.last_fired_at ?? null,
    automaticBackfill: Boolean(r.automatic_backfill),
    timezone: r.cron_timezone ?? null,
    queueName: r.queue_name ?? null,
    applicationName: r.application_name ?? null,
  };
}
