// The demo as a user meets it: it names its database, and after a kill it says which steps came
// from checkpoints instead of printing them again; an order recovered in the background while
// another runs prints under its own ID. Steps carry the IDs stored in Postgres (0-based).
import { randomBytes } from "node:crypto";
import { createClient, getWorkflowSteps, shutdown } from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
import { maskPassword } from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import { afterAll, expect, test } from "vitest";
import { dropTestDatabaseNamed } from "../operations/support/drop-database.js";
import { linesOf, runDemo } from "./support/run-demo.js";

const db = useTestDatabase({ template: migratedTemplate });
const env = () => ({ ...process.env, DBOS_SYSTEM_DATABASE_URL: db.url, NO_COLOR: "1" });
const order = (name: string) => `${name}-${randomBytes(3).toString("hex")}`;

afterAll(async () => {
  await dropTestDatabaseNamed(db.url, `${new URL(db.url).pathname.slice(1)}_shop`); // the demo's shop database
});

/** Runs an order until its sleep is checkpointed (the line "kill me now" comes just before), then SIGKILLs it. */
async function killDuringSleep(id: string): Promise<string> {
  const run = runDemo(id, { env: env() });
  await run.waitFor("kill me now");
  const client = await createClient({ systemDatabaseUrl: db.url });
  try {
    const slept = async () => (await getWorkflowSteps(client, id)).some((s) => s.name === "DBOS.sleep");
    await expect.poll(slept, { timeout: 30_000, interval: 50 }).toBe(true);
  } finally {
    await shutdown(client);
  }
  run.kill();
  expect((await run.exited).code).toBeNull();
  return run.output();
}

test("a resumed order says which steps came from checkpoints and prints only what runs now", async () => {
  const id = order("order-kill");
  const first = await killDuringSleep(id);
  expect(first).toContain(`system database: ${maskPassword(db.url)} (from DBOS_SYSTEM_DATABASE_URL)`);
  expect(linesOf(first, id).filter((l) => l.includes("✓"))).toEqual([
    expect.stringContaining(`✓ step 0 reserve: 2 × durable-mug`),
    expect.stringContaining(`✓ step 1 charge: 24 USD`),
  ]);

  const second = await runDemo(id, { env: env() }).exited;
  expect(second.code, second.output).toBe(0);
  const lines = linesOf(second.output, id);
  expect(lines).toContainEqual(
    expect.stringContaining(
      `recovered ${id}: steps 0–2 (reserve, charge, DBOS.sleep) from checkpoints, continuing at step 3`,
    ),
  );
  expect(lines).toContainEqual(expect.stringMatching(/the pickup wait \(step 2\) ends at \d\d:\d\d:\d\d, in \d+ s$/));
  expect(lines.filter((l) => l.includes("✓")).map((l) => l.replace(/^\[[^\]]+\] /, ""))).toEqual([
    "✓ step 2 pickup window passed",
    `✓ step 3 ship: TRACK-${id.toUpperCase()}`,
  ]);
  expect(second.output).not.toMatch(/reserving inventory|charging the card|kill me now/);
  expect(lines).toContainEqual(
    expect.stringContaining("checkpoints in Postgres: 0:reserve, 1:charge, 2:DBOS.sleep, 3:ship"),
  );
  expect(lines).toContainEqual(expect.stringContaining(`payments recorded for ${id} in the shop database: 1`));
  // Every line of the run but the one naming the system database carries the order ID.
  expect(second.output.trim().split("\n").length - lines.length).toBe(1);
}, 180_000);

test("an order recovered at launch while a new one runs prints every line under its own ID", async () => {
  const killed = order("order-bg");
  await killDuringSleep(killed);
  const fresh = order("order-new");
  const run = await runDemo(fresh, { env: env() }).exited;
  expect(run.code, run.output).toBe(0);
  const recovered = linesOf(run.output, killed);
  expect(recovered).toContainEqual(
    expect.stringContaining(`recovered ${killed}: steps 0–2 (reserve, charge, DBOS.sleep) from checkpoints`),
  );
  expect(recovered).toContainEqual(expect.stringContaining(`✓ step 3 ship: TRACK-${killed.toUpperCase()}`));
  expect(linesOf(run.output, fresh)).toContainEqual(expect.stringContaining(`✓ step 0 reserve`));
  // Nothing else: each line is about the run (system database) or carries one of the two order IDs.
  const unowned = run.output
    .trim()
    .split("\n")
    .filter((l) => !l.includes(`${killed}] `) && !l.includes(`${fresh}] `));
  expect(unowned).toEqual([expect.stringContaining("system database: ")]);
}, 180_000);
