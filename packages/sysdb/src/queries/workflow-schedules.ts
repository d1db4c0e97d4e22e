// Cron schedules (dbos.workflow_schedules), owned by one application.
import { newScheduleID } from "../short-id.js";
import type { SystemDatabase } from "../system-database.js";

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
  sysdb: SystemDatabase,
  d: ScheduleDefinition,
  applicationName: string,
  options: { createOnly: boolean },
): Promise<boolean> {
  const { sql } = sysdb;
  const s = sql(sysdb.schema);
  // schedule_id: nanoid (short-id.ts); DBOS reads it as an opaque key and finds schedules by name.
  const insert = sql`
    insert into ${s}.workflow_schedules as ws (schedule_id, schedule_name, workflow_name, workflow_class_name, schedule,
      status, context, automatic_backfill, cron_timezone, queue_name, application_name)
    values (${newScheduleID()}, ${d.name}, ${d.workflowName}, '', ${d.cron}, 'ACTIVE', ${d.context},
      ${d.automaticBackfill}, ${d.timezone}, ${d.queueName}, ${applicationName})`;
  const rows = options.createOnly
    ? await sql`${insert} on conflict (schedule_name) do nothing returning schedule_id`
    : await sql`${insert}
        on conflict (schedule_name) do update set workflow_name = excluded.workflow_name, schedule = excluded.schedule,
          context = excluded.context, automatic_backfill = excluded.automatic_backfill,
          cron_timezone = excluded.cron_timezone, queue_name = excluded.queue_name
        where ws.application_name = ${applicationName} or ws.application_name is null
        returning schedule_id`;
  return rows.length === 1;
}

/** One schedule by name, whoever owns it. */
export async function getScheduleRecord(sysdb: SystemDatabase, name: string): Promise<ScheduleRecord | undefined> {
  const { sql } = sysdb;
  const [row] = await sql`select * from ${sql(sysdb.schema)}.workflow_schedules where schedule_name = ${name}`;
  return row === undefined ? undefined : toScheduleRecord(row);
}

/** The schedules of an application (and unclaimed ones), by name. */
export async function listScheduleRecords(
  sysdb: SystemDatabase,
  applicationName: string | undefined,
): Promise<ScheduleRecord[]> {
  const { sql } = sysdb;
  const app = applicationName ?? null;
  const rows = await sql`
    select * from ${sql(sysdb.schema)}.workflow_schedules
    where ${app}::text is null or application_name = ${app}::text or application_name is null
    order by schedule_name`;
  return rows.map(toScheduleRecord);
}

/** Sets ACTIVE or PAUSED; false if the application (any, when undefined) has no such schedule. */
export async function setScheduleStatus(
  sysdb: SystemDatabase,
  name: string,
  status: "ACTIVE" | "PAUSED",
  applicationName: string | undefined,
): Promise<boolean> {
  const { sql } = sysdb;
  const app = applicationName ?? null;
  const rows = await sql`
    update ${sql(sysdb.schema)}.workflow_schedules set status = ${status}
    where schedule_name = ${name}
      and (${app}::text is null or application_name = ${app}::text or application_name is null)
    returning schedule_id`;
  return rows.length === 1;
}

/** Deletes a schedule; false if the application has no such schedule. */
export async function deleteScheduleRecord(
  sysdb: SystemDatabase,
  name: string,
  applicationName: string | undefined,
): Promise<boolean> {
  const { sql } = sysdb;
  const app = applicationName ?? null;
  const rows = await sql`
    delete from ${sql(sysdb.schema)}.workflow_schedules
    where schedule_name = ${name}
      and (${app}::text is null or application_name = ${app}::text or application_name is null)
    returning schedule_id`;
  return rows.length === 1;
}

/** Advances the schedule's last tick to `tickIso` (never backwards). */
export async function recordScheduleFired(sysdb: SystemDatabase, name: string, tickIso: string): Promise<void> {
  const { sql } = sysdb;
  await sql`
    update ${sql(sysdb.schema)}.workflow_schedules set last_fired_at = ${tickIso}
    where schedule_name = ${name} and (last_fired_at is null or last_fired_at < ${tickIso})`;
}

/** The database clock minus this process's clock, in ms (to correct a skewed host clock). */
export async function measureClockOffset(sysdb: SystemDatabase): Promise<number> {
  const { sql } = sysdb;
  const before = Date.now();
  const [row] = await sql`select (extract(epoch from clock_timestamp()) * 1000)::float8 as now`;
  const after = Date.now();
  return Number(row?.now) - (before + after) / 2;
}

function toScheduleRecord(r: Record<string, unknown>): ScheduleRecord {
  return {
    scheduleID: r.schedule_id as string,
    name: r.schedule_name as string,
    workflowName: r.workflow_name as string,
    cron: r.schedule as string,
    status: r.status as "ACTIVE" | "PAUSED",
    context: r.context as string,
    lastFiredAt: (r.last_fired_at as string | null) ?? null,
    automaticBackfill: Boolean(r.automatic_backfill),
    timezone: (r.cron_timezone as string | null) ?? null,
    queueName: (r.queue_name as string | null) ?? null,
    applicationName: (r.application_name as string | null) ?? null,
  };
}
