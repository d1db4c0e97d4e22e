// Issue 21: many processes may run with the default executor ID ("local"): a third "local" process
// that launches (a restart) neither recovers nor runs what the two live ones are running, and a
// SIGKILLed "local" process's workflows are adopted after its lease lapses.
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { ChaosInput } from "../chaos/support/result-chain.js";
import { installCommitStamps } from "../support/commit-stamps.js";
import { checkFleetRun, gatedInput } from "./support/check-fleet-run.js";
import { Fleet, fleetLease, fleetTestTimeoutMs } from "./support/fleet.js";
import { countBy, firstStepOutputs, liveLeaseOf, ownedRows, tally } from "./support/fleet-rows.js";
import { readEffects } from "./support/read-effects.js";
import { waitUntil } from "./support/wait-until.js";

const db = useTestDatabase({ template: migratedTemplate });
const fleet = new Fleet("local");
let sql: postgres.Sql;

beforeAll(async () => {
  sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  await installCommitStamps(sql, "dbos");
});
afterEach(() => fleet.dispose());
afterAll(() => sql.end());

const workflowsIn = (path: string): Set<string> => new Set(readEffects(path).map((e) => e.wf));

test(
  "default executor ID: a restart takes no live process's work; a killed one's waits for the lapse",
  async () => {
    const [first, second] = await Promise.all([
      fleet.launch("local-1", { databaseUrl: db.url }),
      fleet.launch("local-2", { databaseUrl: db.url }),
    ]);
    // Waiting at their gate through the third process's launch, however long it takes, and the checks after it.
    const input = gatedInput();
    const ofFirst = Array.from({ length: 6 }, (_, i) => `first-${i}`);
    const ofSecond = Array.from({ length: 6 }, (_, i) => `second-${i}`);
    const ids = [...ofFirst, ...ofSecond];
    const expected = new Map<string, ChaosInput>(ids.map((id) => [id, input]));
    await Promise.all([
      first!.start(
        ofFirst.map((id) => ({ id, input })),
        { gated: true },
      ),
      second!.start(
        ofSecond.map((id) => ({ id, input })),
        { gated: true },
      ),
    ]);
    await waitUntil(
      "all 12 waiting at their gate",
      async () => {
        const rows = await ownedRows(sql, ids);
        return rows.length === 12 && rows.every((r) => r.checkpoints.includes("DBOS.sleep")) ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const firstLease = await liveLeaseOf(sql, first!.pid);
    const secondLease = await liveLeaseOf(sql, second!.pid);
    const before = await ownedRows(sql, ids);
    const whose = (lease: string | null) => (lease === firstLease ? "first" : lease === secondLease ? "second" : lease);
    expect(countBy(before, (r) => `${r.executorID}@${whose(r.leaseID)}`)).toEqual({
      "local@first": 6,
      "local@second": 6,
    });

    const third = await fleet.launch("local-3", { databaseUrl: db.url });
    // Launch recovery has run; wait out a sweep too (every 5th renewal round) before judging.
    await new Promise((r) => setTimeout(r, 6 * fleetLease.leaseRenewMs));
    const afterRestart = await ownedRows(sql, ids);
    expect(afterRestart.some((r) => r.status !== "PENDING")).toBe(false);
    const owners = (rows: typeof before) => rows.map((r) => [r.id, r.leaseID, r.recoveryAttempts]);
    expect(owners(afterRestart)).toEqual(owners(before));
    expect(await third.active()).toEqual([]);

    const killedAt = await first!.kill();
    const thirdLease = await liveLeaseOf(sql, third.pid);
    const adopted = await waitUntil(
      "the first process's 6 adopted by the live ones",
      async () => {
        const rows = await ownedRows(sql, ofFirst);
        return rows.every((r) => r.leaseID === secondLease || r.leaseID === thirdLease) ? rows : undefined;
      },
      { timeoutMs: 15_000, report: () => tally(sql, ids, "lease") },
    );
    // After the lapse, not at once: the dead lease's last renewal was at most one renewal period
    // (+10 % jitter) before the kill, and a claim stamps updated_at with the claimer's clock.
    const earliestClaim = Math.min(...adopted.map((r) => r.updatedAt));
    expect(earliestClaim - killedAt).toBeGreaterThanOrEqual(fleetLease.leaseLapseMs - 1.1 * fleetLease.leaseRenewMs);
    // The second process's workflows stayed its own (finished or still asleep under its lease).
    const ofSecondNow = await ownedRows(sql, ofSecond);
    expect(ofSecondNow.filter((r) => r.status !== "SUCCESS" && r.leaseID !== secondLease)).toEqual([]);

    await second!.send(await firstStepOutputs(sql, ids));
    await waitUntil(
      "all 12 finished",
      async () => {
        const rows = await ownedRows(sql, ids);
        return rows.every((r) => r.status === "SUCCESS") ? rows : undefined;
      },
      { timeoutMs: 30_000, report: () => tally(sql, ids, "lease") },
    );
    const check = await checkFleetRun(sql, fleet.effectsDir, expected);
    expect(check.broken).toEqual([]);
    // No two processes ran the same workflow: each ran in one process, the killed one's in its adopter too.
    const ranInThird = workflowsIn(third.effectsPath);
    expect(ofSecond.filter((id) => ranInThird.has(id) || workflowsIn(first!.effectsPath).has(id))).toEqual([]);
    expect(ofFirst.filter((id) => ranInThird.has(id) && workflowsIn(second!.effectsPath).has(id))).toEqual([]);
  },
  fleetTestTimeoutMs,
);
