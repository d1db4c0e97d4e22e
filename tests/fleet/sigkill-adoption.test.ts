// Issue 21: a SIGKILLed worker's workflows finish on the live workers by themselves (no
// recoverPendingWorkflows call, no restart of the dead one), spread across them, and no step
// runs again after its checkpoint committed.
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { ChaosInput } from "../chaos/support/result-chain.js";
import { installCommitStamps } from "../support/commit-stamps.js";
import { checkFleetRun, sleeperInput } from "./support/check-fleet-run.js";
import { Fleet, fleetTestTimeoutMs } from "./support/fleet.js";
import { countBy, ownedRows, tally } from "./support/fleet-rows.js";
import { waitUntil } from "./support/wait-until.js";

const db = useTestDatabase({ template: migratedTemplate });
const fleet = new Fleet("sigkill");
let sql: postgres.Sql;

beforeAll(async () => {
  sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  await installCommitStamps(sql, "dbos");
});
afterEach(() => fleet.dispose());
afterAll(() => sql.end());

test(
  "50 workflows of a SIGKILLed worker finish on the 2 others; no step runs after its checkpoint",
  async () => {
    const [doomed, left, right] = await Promise.all([
      fleet.launch("doomed", { databaseUrl: db.url, executorID: "fleet-a" }),
      fleet.launch("left", { databaseUrl: db.url, executorID: "fleet-b" }),
      fleet.launch("right", { databaseUrl: db.url, executorID: "fleet-c" }),
    ]);
    // Long enough that all 50 are asleep when the kill comes (checked), short enough that the test stays quick.
    const input = sleeperInput(4_000);
    const ids = Array.from({ length: 50 }, (_, i) => `kill-${String(i).padStart(2, "0")}`);
    const expected = new Map<string, ChaosInput>(ids.map((id) => [id, input]));
    await doomed!.start(ids.map((id) => ({ id, input })));
    await waitUntil(
      "all 50 workflows asleep on the doomed worker",
      async () => {
        const rows = await ownedRows(sql, ids);
        const asleep = rows.filter((r) => r.status === "PENDING" && r.checkpoints.includes("DBOS.sleep"));
        return asleep.length === 50 ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );

    await doomed!.kill();
    const sleepingAtKill = await ownedRows(sql, ids);
    const stillAsleep = sleepingAtKill.filter((r) => r.status === "PENDING" && !r.checkpoints.includes("s1"));
    expect(stillAsleep.filter((r) => r.executorID === "fleet-a")).toHaveLength(50);

    const finished = await waitUntil(
      "all 50 workflows finished",
      async () => {
        const rows = await ownedRows(sql, ids);
        return rows.every((r) => r.status === "SUCCESS") ? rows : undefined;
      },
      { timeoutMs: 30_000, report: () => tally(sql, ids, "executor") },
    );

    const byExecutor = countBy(finished, (r) => r.executorID);
    expect(Object.keys(byExecutor).sort()).toEqual(["fleet-b", "fleet-c"]);
    // The live leases split the orphans by a hash of the workflow ID: each gets about half, so a
    // share below 5 of 50 means one worker took (nearly) everything.
    expect(byExecutor["fleet-b"]).toBeGreaterThanOrEqual(5);
    expect(byExecutor["fleet-c"]).toBeGreaterThanOrEqual(5);
    expect(left!.isAlive() && right!.isAlive()).toBe(true);

    const check = await checkFleetRun(sql, fleet.effectsDir, expected);
    expect(check.broken).toEqual([]);
    // The steps after the sleep ran on the survivors only (the dead worker's log ends at the kill).
    expect(check.stepExecutions).toBeGreaterThanOrEqual(150);
  },
  fleetTestTimeoutMs,
);
