// The pool hands a statement the idle connection released last (patches/postgres@3.4.7.patch):
// stock postgres.js takes the one released first, so a caller sending one statement after another
// rotates through every open connection and each statement wakes the server process idle longest.
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { openSystemDatabase } from "../src/index.js";

const db = useTestDatabase();

test("statements sent one after another run on one server process while others sit idle", async () => {
  const sysdb = openSystemDatabase({ url: db.url, poolSize: 3 });
  try {
    // Premise: three statements at once open three connections, all idle afterwards.
    const opened = await Promise.all(
      [1, 2, 3].map(() => sysdb.sql<{ pid: number }[]>`select pg_backend_pid() as pid, pg_sleep(0.05)`),
    );
    expect(new Set(opened.map(([row]) => row!.pid)).size).toBe(3);

    const sequential: number[] = [];
    for (let i = 0; i < 9; i++) {
      const [row] = await sysdb.sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      sequential.push(row!.pid);
    }
    expect(new Set(sequential).size).toBe(1);
  } finally {
    await sysdb.close();
  }
});
