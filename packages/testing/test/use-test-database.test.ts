import postgres from "postgres";
import { expect, test } from "vitest";
import { useTestDatabase } from "../src/vitest.js";

const db = useTestDatabase({
  template: {
    key: "durably-testing-selftest-v1",
    setup: async (url) => {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await sql`create table greeting (text text not null)`;
      await sql`insert into greeting values ('hello')`;
      await sql.end();
    },
  },
});

const atTopLevel = (() => {
  try {
    return db.url;
  } catch (err) {
    return err;
  }
})();

test("the database is not available before beforeAll", () => {
  expect(atTopLevel).toBeInstanceOf(Error);
});

test("each file gets its own clone of the template", async () => {
  expect(db.name).toMatch(/^durably_test_/);
  const sql = postgres(db.url, { max: 1 });
  try {
    expect(await sql`select current_database() as name, (select text from greeting) as text`).toEqual([
      { name: db.name, text: "hello" },
    ]);
    await sql`insert into greeting values ('only here')`;
  } finally {
    await sql.end();
  }
});
