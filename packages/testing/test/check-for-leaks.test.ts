import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkForLeaks, createTestDatabase, snapshotActiveResources, type TestDatabase } from "../src/index.js";
import { adminUrlFromSetup } from "./support/admin-url.js";

const adminUrl = adminUrlFromSetup();
let db: TestDatabase;

/** postgres.js's end() leaves a timer for a few ms; let the previous test's go before counting. */
function settled() {
  return new Promise((resolve) => setTimeout(resolve, 200));
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.drop();
});

describe("checkForLeaks", () => {
  test("reports nothing when connections and timers were closed", async () => {
    await settled();
    const baseline = snapshotActiveResources();
    const sql = postgres(db.url, { max: 2 });
    await sql`select 1`;
    const timer = setInterval(() => {}, 1_000);
    clearInterval(timer);
    await sql.end();
    expect(await checkForLeaks({ adminUrl, database: db.name, baseline })).toEqual([]);
  });

  test("names a connection left open, by application_name, and its socket", async () => {
    await settled();
    const baseline = snapshotActiveResources();
    const leaked = postgres(db.url, { max: 1, connection: { application_name: "forgotten-pool" } });
    await leaked`select 42`;
    try {
      const leaks = await checkForLeaks({ adminUrl, database: db.name, baseline, graceMs: 300 });
      expect(leaks).toHaveLength(2);
      expect(leaks[0]).toMatch(/1 session\(s\) still connected/);
      expect(leaks[0]).toContain('application_name="forgotten-pool" state=idle query="select 42"');
      expect(leaks[1]).toMatch(/TCPSocketWrap \+1/);
    } finally {
      await leaked.end();
    }
  });

  test("names a timer left running", async () => {
    await settled();
    const baseline = snapshotActiveResources();
    const timer = setInterval(() => {}, 1_000);
    try {
      const leaks = await checkForLeaks({ adminUrl, database: db.name, baseline, graceMs: 300 });
      expect(leaks).toEqual([expect.stringMatching(/Timeout \+1 \(\d+ → \d+\)/)]);
    } finally {
      clearInterval(timer);
    }
  });

  test("waits out a timer that ends within the grace period", async () => {
    await settled();
    const baseline = snapshotActiveResources();
    setTimeout(() => {}, 200);
    expect(await checkForLeaks({ adminUrl, database: db.name, baseline, graceMs: 2_000 })).toEqual([]);
  });
});
