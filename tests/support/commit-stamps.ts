// Commit times of checkpoints when the server does not track them (track_commit_timestamp off, as
// on the shared test server): a deferred constraint trigger stamps each new operation_outputs row
// in the commit sequence of its transaction, after every statement of it, with clock_timestamp().
import type { Sql } from "postgres";

/** The table the stamps go to, outside the system schema so durably's schema stays as migrated. */
export const commitStampsTable = "public.checkpoint_commit_stamps";

/** Installs the stamping trigger on `schema`.operation_outputs; rows written before it get no stamp. */
export async function installCommitStamps(sql: Sql, schema: string): Promise<void> {
  await sql.unsafe(`
    create table if not exists ${commitStampsTable} (
      workflow_uuid text not null, function_id int4 not null, committed_at timestamptz not null,
      primary key (workflow_uuid, function_id));
    create or replace function public.stamp_checkpoint_commit() returns trigger language plpgsql as $$
    begin
      insert into ${commitStampsTable} values (new.workflow_uuid, new.function_id, clock_timestamp())
        on conflict do nothing;
      return null;
    end $$;
    create constraint trigger stamp_checkpoint_commit after insert on "${schema}".operation_outputs
      deferrable initially deferred for each row execute function public.stamp_checkpoint_commit();`);
}
