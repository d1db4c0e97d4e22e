// Seeds a large system database in a few statements (generate_series), for plan tests and the
// dashboard's measurements: finished workflows with a mix of statuses, plus `stepsPer` steps each.
import { openSystemDatabase, type SystemDatabase } from "@durably/sysdb";
import { sql } from "kysely";

export interface SeedOptions {
  readonly workflows: number;
  readonly stepsPer: number;
  /** Rows per INSERT, so one statement never holds millions of rows in memory. */
  readonly batch?: number;
}

/**
 * Inserts `workflows` rows named seed-00000001…: 1% ERROR, 0.2% ENQUEUED, 0.1% PENDING, the rest
 * SUCCESS, 10 ms apart ending now, a third on queue `seeded-q`; then ANALYZE.
 */
export async function seedWorkflows(sysdb: SystemDatabase, options: SeedOptions): Promise<void> {
  const batch = options.batch ?? 200_000;
  const base = Date.now() - options.workflows * 10;
  for (let from = 1; from <= options.workflows; from += batch) {
    const to = Math.min(options.workflows, from + batch - 1);
    await sql`
      insert into dbos.workflow_status (workflow_uuid, status, name, queue_name, executor_id, application_name,
        application_version, created_at, updated_at, started_at_epoch_ms, completed_at, recovery_attempts, serialization)
      select 'seed-' || lpad(g::text, 8, '0'),
        case when g % 100 = 0 then 'ERROR' when g % 500 = 1 then 'ENQUEUED' when g % 1000 = 2 then 'PENDING'
          else 'SUCCESS' end,
        'seeded', case when g % 3 = 0 then 'seeded-q' end, 'seed-executor', 'dash-test', 'd-v1',
        ${base}::int8 + g * 10, ${base}::int8 + g * 10 + 5,
        case when g % 500 <> 1 then ${base}::int8 + g * 10 + 1 end,
        case when g % 500 <> 1 and g % 1000 <> 2 then ${base}::int8 + g * 10 + 5 end,
        1, 'js_superjson'
      from generate_series(${from}::int, ${to}::int) g`.execute(sysdb.db);
    if (options.stepsPer > 0) {
      await sql`
        insert into dbos.operation_outputs (workflow_uuid, function_id, function_name, output, started_at_epoch_ms,
          completed_at_epoch_ms, serialization)
        select 'seed-' || lpad(g::text, 8, '0'), s, 'step-' || s, '{"json":' || s || '}',
          ${base}::int8 + g * 10 + 1, ${base}::int8 + g * 10 + 2, 'js_superjson'
        from generate_series(${from}::int, ${to}::int) g, generate_series(0, ${options.stepsPer - 1}::int) s`.execute(
        sysdb.db,
      );
    }
  }
  await sql`analyze dbos.workflow_status`.execute(sysdb.db);
  await sql`analyze dbos.operation_outputs`.execute(sysdb.db);
}

/** {@link seedWorkflows} into the database at `url`, through a connection opened and closed here. */
export async function seedWorkflowsAt(url: string, options: SeedOptions): Promise<void> {
  const sysdb = openSystemDatabase({ url, poolSize: 1 });
  try {
    await sysdb.connect();
    await seedWorkflows(sysdb, options);
  } finally {
    await sysdb.close();
  }
}
