// Seeds a system database with finished history fast, in SQL (generate_series): workflows that
// ended days ago, their steps, inputs and outputs, so a bench can compare the hot paths on an
// empty and a full database. Also a command: `tsx src/history/seed-history.ts --db URL --workflows N`.
import postgres from "postgres";

export interface HistorySize {
  /** Finished workflows (90% SUCCESS, 8% ERROR, 2% CANCELLED). */
  readonly workflows: number;
  /** Checkpoints per workflow. */
  readonly stepsPerWorkflow: number;
}

/** Rows per statement: each chunk is one short transaction, so the seed never holds a huge one. */
const chunk = 100_000;

/**
 * Inserts `size.workflows` finished workflows of application `appName` (IDs `hist-<n>`) created
 * over the 90 days before `now`, each with `stepsPerWorkflow` steps, an input and an output; then
 * VACUUM ANALYZE. Returns the seconds it took.
 *
 * @example
 * await seedHistory("postgres://postgres@127.0.0.1/bench_history_seeded", { workflows: 1e6, stepsPerWorkflow: 10 });
 */
export async function seedHistory(
  url: string,
  size: HistorySize,
  options: { readonly appName?: string; readonly schema?: string; readonly log?: (line: string) => void } = {},
): Promise<number> {
  const appName = options.appName ?? "bench";
  const schema = options.schema ?? "dbos";
  const log = options.log ?? (() => undefined);
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  const started = performance.now();
  const now = Date.now();
  const span = 90 * 86_400_000;
  try {
    for (let from = 1; from <= size.workflows; from += chunk) {
      const to = Math.min(size.workflows, from + chunk - 1);
      await sql.begin(async (tx) => {
        await tx.unsafe(
          `insert into ${schema}.workflow_status (workflow_uuid, status, name, application_name, application_version,
             executor_id, queue_name, created_at, updated_at, started_at_epoch_ms, completed_at, serialization,
             owner_xid)
           select 'hist-' || i,
             case when i % 50 = 0 then 'CANCELLED' when i % 12 = 0 then 'ERROR' else 'SUCCESS' end,
             'historyWorkflow' || (i % 5), $1, 'v1', 'bench-history',
             case when i % 3 = 0 then 'history-queue' end,
             $2::int8 - $3::int8 + (i::int8 * $3::int8 / $4::int8),
             $2::int8 - $3::int8 + (i::int8 * $3::int8 / $4::int8) + 50,
             $2::int8 - $3::int8 + (i::int8 * $3::int8 / $4::int8),
             $2::int8 - $3::int8 + (i::int8 * $3::int8 / $4::int8) + 50,
             'portable_json', null
           from generate_series($5::int, $6::int) as i`,
          [appName, now, span, size.workflows, from, to],
        );
        await tx.unsafe(
          `insert into ${schema}.workflow_input (workflow_uuid, inputs)
           select 'hist-' || i, '{"positionalArgs":[' || i || ']}' from generate_series($1::int, $2::int) as i`,
          [from, to],
        );
        await tx.unsafe(
          `insert into ${schema}.workflow_output (workflow_uuid, output, error)
           select 'hist-' || i, case when i % 12 = 0 then null else '{"ok":' || i || '}' end,
             case when i % 12 = 0 then '{"name":"Error","message":"failed"}' end
           from generate_series($1::int, $2::int) as i`,
          [from, to],
        );
        if (size.stepsPerWorkflow > 0) {
          await tx.unsafe(
            `insert into ${schema}.operation_outputs (workflow_uuid, function_id, function_name, output,
               serialization, started_at_epoch_ms, completed_at_epoch_ms, application_name)
             select 'hist-' || i, s, 'step' || s, '{"n":' || s || '}', 'portable_json', $3::int8, $3::int8 + 5, $4
             from generate_series($1::int, $2::int) as i, generate_series(0, $5::int - 1) as s`,
            [from, to, now - span, appName, size.stepsPerWorkflow],
          );
        }
      });
      log(`seeded ${to} / ${size.workflows} workflows`);
    }
    await sql.unsafe(`vacuum analyze ${schema}.workflow_status, ${schema}.workflow_input, ${schema}.workflow_output,
      ${schema}.operation_outputs`);
  } finally {
    await sql.end();
  }
  return (performance.now() - started) / 1000;
}

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = flag("--db");
  if (url === undefined) {
    console.error("usage: tsx src/history/seed-history.ts --db URL [--workflows 1000000] [--steps 10] [--app bench]");
    process.exit(2);
  }
  const workflows = Number(flag("--workflows") ?? 1_000_000);
  const stepsPerWorkflow = Number(flag("--steps") ?? 10);
  const seconds = await seedHistory(
    url,
    { workflows, stepsPerWorkflow },
    { appName: flag("--app") ?? "bench", log: (l) => console.error(l) },
  );
  console.log(`seeded ${workflows} workflows × ${stepsPerWorkflow} steps in ${seconds.toFixed(1)} s`);
}
