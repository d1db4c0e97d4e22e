// Issue 21: shutdown(ctx, { drainMs }) of a worker whose workflows sleep hands them to a live worker
// within 1 s of returning, by releasing its lease (no wait for the lapse).
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { ChaosInput } from "../chaos/support/result-chain.js";
import { installCommitStamps } from "../support/commit-stamps.js";
import { checkFleetRun, sleeperInput } from "./support/check-fleet-run.js";
import { Fleet, fleetTestTimeoutMs } from "./support/fleet.js";
import { countBy, leasesOf, liveLeaseOf, ownedRows, tally } from "./support/fleet-rows.js";
import { readEffects } from "./support/read-effects.js";
import { waitUntil } from "./support/wait-until.js";

const db = useTestDatabase({ template: migratedTemplate });
const fleet = new Fleet("handover");
let sql: postgres.Sql;

beforeAll(async () => {
  sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  await installCommitStamps(sql, "dbos");
});
afterEach(() => fleet.dispose());
afterAll(() => sql.end());

/** The guarantee of issue 21: adopted within 1 s of shutdown returning. */
const handoverMs = 1_000;
/**
 * A lapse ten times the guarantee: adoption within 1 s can only come from the released lease.
 * (The default settings, which a fleet runs with.)
 */
const slowLease = { leaseRenewMs: 2_000, leaseLapseMs: 10_000 };

test(
  "shutdown with drainMs hands workflows mid-sleep to a live worker within 1 s of returning",
  async () => {
    const [leaver, stayer] = await Promise.all([
      fleet.launch("leaver", { databaseUrl: db.url, executorID: "fleet-leaver", ...slowLease }),
      fleet.launch("stayer", { databaseUrl: db.url, executorID: "fleet-stayer", ...slowLease }),
    ]);
    // The sleep outlasts the drain (300 ms), so the runs are still asleep when shutdown stops them.
    const input = sleeperInput(1_500);
    const expected = new Map<string, ChaosInput>(Array.from({ length: 10 }, (_, i) => [`handover-${i}`, input]));
    const ids = [...expected.keys()];
    await leaver!.start(ids.map((id) => ({ id, input })));
    await waitUntil(
      "all 10 asleep on the leaving worker",
      async () => {
        const rows = await ownedRows(sql, ids);
        return rows.length === 10 && rows.every((r) => r.checkpoints.includes("DBOS.sleep")) ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const leaverLease = await liveLeaseOf(sql, leaver!.pid);
    const stayerLease = await liveLeaseOf(sql, stayer!.pid);

    const returnedAt = await leaver!.shutdown(300);
    const claimedAt = await waitUntil(
      "the live worker took all 10",
      async () => {
        const rows = await ownedRows(sql, ids);
        const taken = rows.every(
          (r) => r.leaseID === stayerLease || (r.status === "SUCCESS" && r.executorID === "fleet-stayer"),
        );
        return taken ? Date.now() : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 10, report: () => tally(sql, ids, "lease") },
    );
    // The premise: the lease was released at shutdown, not judged lapsed.
    expect(await leasesOf(sql, leaver!.pid)).toEqual([{ leaseID: leaverLease, endedReason: "released" }]);
    // Detected by polling every 10 ms after the shutdown message arrived: an upper bound of the claim's time.
    expect(claimedAt - returnedAt).toBeLessThanOrEqual(handoverMs);

    const finished = await waitUntil(
      "all 10 finished",
      async () => {
        const rows = await ownedRows(sql, ids);
        return rows.every((r) => r.status === "SUCCESS") ? rows : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(countBy(finished, (r) => r.executorID)).toEqual({ "fleet-stayer": 10 });
    // Progress: the step after the sleep began on the live worker within 1 s of the later of the
    // shutdown's return and the sleep's recorded wake-up time.
    const check = await checkFleetRun(sql, fleet.effectsDir, expected);
    expect(check.broken).toEqual([]);
    const stayerEffects = readEffects(stayer!.effectsPath);
    for (const id of ids) {
      const sleepRow = check.history.checkpoints.get(id)!.find((c) => c.name === "DBOS.sleep")!;
      const wakeAt = Number(JSON.parse(sleepRow.output!));
      const began = stayerEffects.find((e) => e.wf === id && e.step === 1 && e.event === "begin");
      expect(began, `${id}: step 1 never began on the live worker`).toBeDefined();
      const lateMs = began!.t - Math.max(wakeAt, returnedAt);
      expect(lateMs, `${id}: ms from wake-up or return to step 1`).toBeLessThanOrEqual(handoverMs);
    }
  },
  fleetTestTimeoutMs,
);
