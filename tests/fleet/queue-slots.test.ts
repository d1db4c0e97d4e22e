// Issue 21: a dead worker cannot hold a queue's global concurrency: when the worker holding all 5
// slots of a queue is SIGKILLed, its workflows go back to the queue and a live worker takes the
// slots within the lapse (plus the renewal rounds that notice it).
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { ChaosInput } from "../chaos/support/result-chain.js";
import { installCommitStamps } from "../support/commit-stamps.js";
import { checkFleetRun, sleeperInput } from "./support/check-fleet-run.js";
import { Fleet, fleetLease, fleetTestTimeoutMs } from "./support/fleet.js";
import { countBy, liveLeaseOf, ownedRows, tally } from "./support/fleet-rows.js";
import { waitUntil } from "./support/wait-until.js";

const db = useTestDatabase({ template: migratedTemplate });
const fleet = new Fleet("queue");
let sql: postgres.Sql;

beforeAll(async () => {
  sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  await installCommitStamps(sql, "dbos");
});
afterEach(() => fleet.dispose());
afterAll(() => sql.end());

const queue = { name: "five-slots", concurrency: 5 };
/**
 * The lapse (1.5 s), two renewal rounds (one to notice it, one of jitter and timing) and 1 s for a
 * loaded 2-core test machine to schedule the processes; without adoption the queue never moves.
 */
const movesOnWithinMs = fleetLease.leaseLapseMs + 2 * fleetLease.leaseRenewMs + 1_000;

test(
  "killing the holder of all 5 slots of a concurrency-5 queue: the queue moves on within the lapse",
  async () => {
    // Both launch now (a launch takes seconds on a loaded machine); the taker serves the queue only
    // once the holder holds its slots.
    const worker = (executorID: string, serveAtLaunch: boolean) => ({
      databaseUrl: db.url,
      executorID,
      queue: { ...queue, serveAtLaunch },
    });
    const [holder, taker] = await Promise.all([
      fleet.launch("holder", worker("fleet-holder", true)),
      fleet.launch("taker", worker("fleet-taker", false)),
    ]);
    // Asleep long enough to hold the slots until the kill and past the adoption.
    const holding = sleeperInput(5_000);
    const waiting = sleeperInput(0);
    const expected = new Map<string, ChaosInput>([
      ...Array.from({ length: 5 }, (_, i) => [`holding-${i}`, holding] as const),
      ...Array.from({ length: 3 }, (_, i) => [`waiting-${i}`, waiting] as const),
    ]);
    const ids = [...expected.keys()];
    await holder!.start(
      ids.slice(0, 5).map((id) => ({ id, input: holding })),
      { queue: queue.name },
    );
    const holderLease = await liveLeaseOf(sql, holder!.pid);
    await waitUntil(
      "the holder holds all 5 slots, its 5 workflows asleep",
      async () => {
        const rows = await ownedRows(sql, ids);
        const held = rows.filter((r) => r.leaseID === holderLease && r.checkpoints.includes("DBOS.sleep"));
        return held.length === 5 ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );
    await holder!.start(
      ids.slice(5).map((id) => ({ id, input: waiting })),
      { queue: queue.name },
    );

    await taker!.serveQueue();
    const takerLease = await liveLeaseOf(sql, taker!.pid);
    // The premise: with the holder alive, the global limit keeps the taker idle.
    await new Promise((r) => setTimeout(r, 3 * fleetLease.leaseRenewMs));
    const whose = (lease: string | null) => (lease === holderLease ? "holder" : lease);
    expect(countBy(await ownedRows(sql, ids), (r) => `${r.status}@${whose(r.leaseID)}`)).toEqual({
      "PENDING@holder": 5,
      "ENQUEUED@null": 3,
    });

    const killedAt = await holder!.kill();
    // Five workflows taken by the taker (running there or already finished there): the queue moved on.
    const movedAt = await waitUntil(
      "the taker took 5 workflows",
      async () => {
        const rows = await ownedRows(sql, ids);
        const taken = rows.filter((r) => r.leaseID === takerLease || r.executorID === "fleet-taker");
        return taken.length >= 5 ? Date.now() : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 10, report: () => tally(sql, ids, "lease") },
    );
    expect(movedAt - killedAt).toBeLessThanOrEqual(movesOnWithinMs);

    const finished = await waitUntil(
      "all 8 finished",
      async () => {
        const rows = await ownedRows(sql, ids);
        return rows.every((r) => r.status === "SUCCESS") ? rows : undefined;
      },
      { timeoutMs: 30_000, report: () => tally(sql, ids, "executor") },
    );
    expect(countBy(finished, (r) => r.executorID)).toEqual({ "fleet-taker": 8 });
    const check = await checkFleetRun(sql, fleet.effectsDir, expected);
    expect(check.broken).toEqual([]);
  },
  fleetTestTimeoutMs,
);
