// Issue 21: a worker paused (SIGSTOP) past the lapse loses its workflows to a live worker; resumed
// (SIGCONT), it commits nothing for them, logs why and stops running them, and lives on under a
// new lease.
import { basename } from "node:path";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { ChaosInput } from "../chaos/support/result-chain.js";
import { installCommitStamps } from "../support/commit-stamps.js";
import { checkFleetRun, sleeperInput } from "./support/check-fleet-run.js";
import { Fleet, fleetTestTimeoutMs } from "./support/fleet.js";
import { leasesOf, liveLeaseOf, ownedRows, tally } from "./support/fleet-rows.js";
import { readEffects } from "./support/read-effects.js";
import { waitUntil } from "./support/wait-until.js";

const db = useTestDatabase({ template: migratedTemplate });
const fleet = new Fleet("zombie");
let sql: postgres.Sql;

beforeAll(async () => {
  sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  await installCommitStamps(sql, "dbos");
});
afterEach(() => fleet.dispose());
afterAll(() => sql.end());

test(
  "SIGSTOPped past the lapse, a worker commits nothing for adopted workflows after SIGCONT",
  async () => {
    const [zombie, adopter] = await Promise.all([
      fleet.launch("zombie", { databaseUrl: db.url, executorID: "fleet-zombie" }),
      fleet.launch("adopter", { databaseUrl: db.url, executorID: "fleet-adopter" }),
    ]);
    const input = sleeperInput(4_000);
    const expected = new Map<string, ChaosInput>(Array.from({ length: 10 }, (_, i) => [`zombie-${i}`, input]));
    const ids = [...expected.keys()];
    await zombie!.start(ids.map((id) => ({ id, input })));
    await waitUntil(
      "all 10 asleep on the zombie",
      async () => {
        const rows = await ownedRows(sql, ids);
        return rows.length === 10 && rows.every((r) => r.checkpoints.includes("DBOS.sleep")) ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const zombieLease = await liveLeaseOf(sql, zombie!.pid);
    expect(zombieLease).toBeDefined();

    await zombie!.pause();
    // The premise: stopped mid-sleep, before any step after it.
    expect((await ownedRows(sql, ids)).filter((r) => r.checkpoints.includes("s1"))).toEqual([]);
    const adopterLease = await liveLeaseOf(sql, adopter!.pid);
    await waitUntil(
      "the adopter finished all 10",
      async () => {
        const rows = await ownedRows(sql, ids);
        return rows.every((r) => r.status === "SUCCESS" && r.executorID === "fleet-adopter") ? true : undefined;
      },
      { timeoutMs: 20_000, report: () => tally(sql, ids, "executor") },
    );
    // The premise: the zombie's lease was judged lapsed (not released) while it was stopped.
    expect(await leasesOf(sql, zombie!.pid)).toEqual([{ leaseID: zombieLease, endedReason: "lapsed" }]);
    expect(adopterLease).toBeDefined();

    const resumedAt = await zombie!.resume();
    const lapsed = (line: { level: string; msg: string }) =>
      line.level === "warn" && line.msg.startsWith("executor lease lapsed");
    const warning = await zombie!.logLine(lapsed, 10_000, "lease-lapsed warning");
    expect(warning.fields).toMatchObject({ leaseID: zombieLease });
    expect(warning.t).toBeGreaterThanOrEqual(resumedAt);
    // A few renewal rounds in which the zombie could still do something wrong.
    await new Promise((r) => setTimeout(r, 600));
    expect((await zombie!.active()).filter((id) => expected.has(id))).toEqual([]);
    // Its durable sleeps may still return (a local timer, no statement); no step may begin after them.
    const zombieAfterResume = readEffects(zombie!.effectsPath).filter((e) => expected.has(e.wf) && e.t >= resumedAt);
    expect(zombieAfterResume.filter((e) => e.event !== "wake")).toEqual([]);

    // The tables: every checkpoint after the sleep holds a nonce the adopter's executions produced.
    const check = await checkFleetRun(sql, fleet.effectsDir, expected);
    expect(check.broken).toEqual([]);
    const adopterFile = basename(adopter!.effectsPath);
    for (const id of ids) {
      const effects = check.history.effects.get(id)!;
      for (const checkpoint of check.history.checkpoints.get(id)!.filter((c) => c.name === "s1" || c.name === "s2")) {
        const step = effects.steps.get(Number(checkpoint.name.slice(1)))!;
        const producer = step.begins.find((b) => b.nonce === JSON.parse(checkpoint.output!));
        const where = { id, step: checkpoint.name };
        expect({ ...where, file: check.history.files[producer!.file] }).toEqual({ ...where, file: adopterFile });
      }
    }

    // Alive, under a new lease, and able to run new work.
    expect(zombie!.isAlive()).toBe(true);
    const fresh = { id: "after-the-pause", input: sleeperInput(0) };
    await zombie!.start([fresh]);
    await waitUntil(
      "the resumed worker finished new work",
      async () => {
        const [row] = await ownedRows(sql, [fresh.id]);
        return row?.status === "SUCCESS" ? row : undefined;
      },
      { timeoutMs: 10_000 },
    );
    const leases = await leasesOf(sql, zombie!.pid);
    expect(leases.map((l) => l.endedReason)).toEqual(["lapsed", null]);
    expect(leases[0]!.leaseID).toBe(zombieLease);
  },
  fleetTestTimeoutMs,
);
