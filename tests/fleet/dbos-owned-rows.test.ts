// Issue 21 (mixed fleets): a PENDING workflow owned by a DBOS executor (its owner token has no lease
// in it) is left alone by adoption, while durably's processes adopt each other's workflows around it.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { installCommitStamps } from "../support/commit-stamps.js";
import { sleeperInput } from "./support/check-fleet-run.js";
import { Fleet, fleetLease, fleetTestTimeoutMs } from "./support/fleet.js";
import { ownedRows, tally } from "./support/fleet-rows.js";
import { waitUntil } from "./support/wait-until.js";

const db = useTestDatabase({ template: migratedTemplate });
const fleet = new Fleet("dbos-owned");
let sql: postgres.Sql;

beforeAll(async () => {
  sql = postgres(db.url, { max: 2, onnotice: () => undefined });
  await installCommitStamps(sql, "dbos");
});
afterEach(() => fleet.dispose());
afterAll(() => sql.end());

const dbosOwned = "dbos-owned-1";

/** The row as a DBOS executor leaves it while running the workflow: PENDING, its owner token a bare UUID. */
async function plantDbosRow(): Promise<void> {
  const inputs = JSON.stringify({ positionalArgs: [sleeperInput(0)] });
  await sql`
    insert into dbos.workflow_status (workflow_uuid, status, name, executor_id, application_version, application_name,
                                      recovery_attempts, inputs, serialization, owner_xid, created_at, updated_at)
    values (${dbosOwned}, 'PENDING', 'chaosWorkflow', 'dbos-vm-1', 'fleet-1', 'fleet',
            1, ${inputs}, 'portable_json', ${randomUUID()}, 1700000000000, 1700000000000)`;
  await sql`insert into dbos.workflow_input (workflow_uuid, inputs) values (${dbosOwned}, ${inputs})`;
}

const dbosRow = async () =>
  (
    await sql`
    select status, executor_id, owner_xid, recovery_attempts, updated_at
    from dbos.workflow_status where workflow_uuid = ${dbosOwned}`
  )[0];

test(
  "a PENDING workflow of a DBOS executor is not adopted, through a kill, its lapse and the sweeps",
  async () => {
    await plantDbosRow();
    const planted = await dbosRow();
    expect(planted).toMatchObject({ status: "PENDING", executor_id: "dbos-vm-1" });
    expect(String(planted!.owner_xid)).not.toContain(".");

    const [doomed, survivor] = await Promise.all([
      fleet.launch("doomed", { databaseUrl: db.url, executorID: "fleet-doomed" }),
      fleet.launch("survivor", { databaseUrl: db.url, executorID: "fleet-survivor" }),
    ]);
    const input = sleeperInput(1_500);
    const ids = Array.from({ length: 4 }, (_, i) => `lapsed-${i}`);
    await doomed!.start(ids.map((id) => ({ id, input })));
    await waitUntil(
      "all 4 asleep",
      async () => {
        const rows = await ownedRows(sql, ids);
        return rows.length === 4 && rows.every((r) => r.checkpoints.includes("DBOS.sleep")) ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );
    await doomed!.kill();
    // The premise: adoption happened in this database while the DBOS row sat there.
    await waitUntil(
      "the killed worker's workflows finished on the survivor",
      async () => {
        const rows = await ownedRows(sql, ids);
        return rows.every((r) => r.status === "SUCCESS" && r.executorID === "fleet-survivor") ? true : undefined;
      },
      { timeoutMs: 20_000, report: () => tally(sql, ids, "executor") },
    );
    // Two sweeps more (every 5th renewal round takes every orphan of a forgotten or ended lease).
    await new Promise((r) => setTimeout(r, 10 * fleetLease.leaseRenewMs));

    expect(await dbosRow()).toEqual(planted);
    const touched = readFileSync(survivor!.effectsPath, "utf8")
      .split("\n")
      .filter((l) => l.includes(dbosOwned));
    expect(touched).toEqual([]);
    expect(await survivor!.active()).toEqual([]);
  },
  fleetTestTimeoutMs,
);
