// Statements that must have committed before they resolve: literals survive exactly, and a
// commit that fails after the statement ran is an error, not a success.
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import { isDurablyError, openSystemDatabase, type SystemDatabase } from "../src/index.js";
import { committed, fragment } from "../src/queries/committed-statement.js";

const db = useTestDatabase();
let sysdb: SystemDatabase;

beforeAll(async () => {
  sysdb = openSystemDatabase({ url: db.url, poolSize: 2, schema: "F8nny_sCHem@-n@m3" });
  await sysdb.sql.unsafe(`
    create schema "F8nny_sCHem@-n@m3";
    create table "F8nny_sCHem@-n@m3".t (id int8 primary key, body text, flag bool);
    create function fail_at_commit() returns trigger language plpgsql as $$
      begin if new.body = 'doomed' then raise exception 'refused at commit'; end if; return null; end $$;
    create constraint trigger fail_at_commit after insert on "F8nny_sCHem@-n@m3".t
      deferrable initially deferred for each row execute function fail_at_commit();`);
});
afterAll(() => sysdb.close());

test("strings, numbers, booleans and NULL come back exactly as inlined", async () => {
  const c = committed(sysdb);
  const texts = ["it's", "back\\slash", "\\'", "E'x'", "$$ $tag$", "ünïcødé 🚀", "", "line\nbreak\ttab", "-- not a comment", "'; drop table t; --"];
  for (const [i, body] of texts.entries()) {
    const [row] = await c`insert into ${c.schema}.t (id, body, flag) values (${i + 9_007_199_254_000}, ${body}, ${i % 2 === 0})
                          returning id, body, flag`;
    expect(row).toEqual({ id: i + 9_007_199_254_000, body, flag: i % 2 === 0 });
  }
  const [nulls] = await c`select ${null}::text as a, ${1.5}::float8 as b, ${fragment`${"x"} || ${"y"}`} as c`;
  expect(nulls).toEqual({ a: null, b: 1.5, c: "xy" });
});

test("a commit that fails after the statement ran rejects, and leaves nothing written", async () => {
  const c = committed(sysdb);
  await expect(c`insert into ${c.schema}.t (id, body) values (${-1}, ${"doomed"}) returning id`).rejects.toThrow("refused at commit");
  expect(await c`select id from ${c.schema}.t where id = ${-1}`).toEqual([]);
});

test("text holding a NUL character is refused before anything is sent", () => {
  const c = committed(sysdb);
  let error: unknown;
  try {
    void c`select ${"a\0b"}`;
  } catch (e) {
    error = e;
  }
  expect(isDurablyError(error, "INVALID_ARGUMENT")).toBe(true);
});
