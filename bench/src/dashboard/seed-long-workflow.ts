// One finished workflow with many steps, for the dashboard bench's page: each step ran 20 ms after
// the one before and returned a small object (a page must not fetch what it does not show).
import postgres from "postgres";

/** Inserts (again) workflow `workflowID` of application `bench` with `steps` steps; every 100th failed. */
export async function seedLongWorkflow(url: string, workflowID: string, steps: number): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  const created = Date.now() - steps * 20 - 1_000;
  try {
    await sql.begin(async (tx) => {
      await tx`delete from dbos.operation_outputs where workflow_uuid = ${workflowID}`;
      await tx`delete from dbos.workflow_status where workflow_uuid = ${workflowID}`;
      await tx`
        insert into dbos.workflow_status (workflow_uuid, status, name, application_name, application_version,
          executor_id, created_at, updated_at, started_at_epoch_ms, completed_at, serialization)
        values (${workflowID}, 'SUCCESS', 'longWorkflow', 'bench', 'v1', 'bench-dashboard', ${created},
          ${created + steps * 20 + 500}, ${created + 500}, ${created + steps * 20 + 500}, 'portable_json')`;
      await tx.unsafe(
        `insert into dbos.operation_outputs (workflow_uuid, function_id, function_name, output, error,
           serialization, started_at_epoch_ms, completed_at_epoch_ms, application_name)
         select $1, s, 'step-' || s,
           case when s % 100 <> 99 then '{"step":' || s || ',"items":[1,2,3],"label":"step ' || s || ' done"}' end,
           case when s % 100 = 99 then '{"name":"Error","message":"step ' || s || ' failed"}' end,
           'portable_json', $2::int8 + 500 + s * 20, $2::int8 + 500 + s * 20 + 15, 'bench'
         from generate_series(0, $3::int - 1) as s`,
        [workflowID, created, steps],
      );
    });
  } finally {
    await sql.end();
  }
}
