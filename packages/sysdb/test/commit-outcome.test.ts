// A statement resolves only once its implicit transaction has committed: a commit that fails
// after the statement ran (a deferred constraint here; a backend terminated at that moment in
// the chaos tiers) rejects it. Stock postgres.js resolves at CommandComplete and loses that
// error (porsager/postgres#1090); patches/postgres@3.4.7.patch waits for ReadyForQuery.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { openSystemDatabase, type SystemDatabase } from "../src/index.js";

const db = useTestDatabase();
let sysdb: SystemDatabase;

beforeAll(async () => {
  sysdb = openSystemDatabase({ url: db.url, poolSize: 2 });
  await sysdb.sql.unsafe(`
    create table commit_outcome (id int8 primary key, body text);
    create function fail_at_commit() returns trigger language plpgsql as $$
      begin if new.body = 'doomed' then raise exception 'refused at commit'; end if; return null; end $$;
    create constraint trigger fail_at_commit after insert on commit_outcome
      deferrable initially deferred for each row execute function fail_at_commit();`);
});
afterAll(() => sysdb.close());

test("a parameterised statement whose commit fails rejects, and leaves nothing written", async () => {
  const { sql } = sysdb;
  await expect(sql`insert into commit_outcome (id, body) values (${1}, ${"doomed"}) returning id`).rejects.toThrow(
    "refused at commit",
  );
  expect(await sql`select id from commit_outcome where id = ${1}`).toEqual([]);
  // The connection is still good, and a statement whose commit succeeds resolves with its rows.
  expect(await sql`insert into commit_outcome (id, body) values (${2}, ${"fine"}) returning id`).toEqual([{ id: 2 }]);
});

test("an unprepared statement (sql.unsafe with parameters, as the Kysely dialect sends) rejects too", async () => {
  await expect(
    sysdb.sql.unsafe("insert into commit_outcome (id, body) values ($1, $2)", [3, "doomed"]),
  ).rejects.toThrow("refused at commit");
});
