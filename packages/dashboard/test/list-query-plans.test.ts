// The dashboard's list stays on indexes on a large table: its first page, a next page and each
// status filter read an index in order and stop at the page size (no sequential scan, no full sort).
// The table size here is CI's; `DURABLY_DASHBOARD_SEED=1000000` runs the same checks on a million
// (and prints the server time of each page).
import { openSystemDatabase, type SystemDatabase } from "@durably/sysdb";
import { compileWorkflowPage, listWorkflowPage, type WorkflowPageFilter } from "@durably/sysdb/queries";
import { migratedTemplate } from "@durably/sysdb";
// Renamed: Biome takes use* calls in this React package for hooks.
import { useTestDatabase as testDatabase } from "@durably/testing/vitest";
import { CompiledQuery } from "kysely";
import { afterAll, beforeAll, expect, test } from "vitest";
import { seedWorkflows } from "./support/seed-workflows.js";

const db = testDatabase({ template: migratedTemplate, hookTimeoutMs: 1_800_000 });
const size = Number(process.env.DURABLY_DASHBOARD_SEED ?? 50_000);
let sysdb: SystemDatabase;

beforeAll(async () => {
  sysdb = openSystemDatabase({ url: db.url, poolSize: 2 });
  await sysdb.connect();
  const started = Date.now();
  await seedWorkflows(sysdb, { workflows: size, stepsPer: Number(process.env.DURABLY_DASHBOARD_SEED_STEPS ?? 2) });
  process.stdout.write(`seeded ${size} workflows in ${Date.now() - started} ms\n`);
}, 1_800_000);

afterAll(async () => {
  await sysdb?.close();
});

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function plan(filter: WorkflowPageFilter, cursor?: { createdAt: number; workflowID: string }) {
  const compiled = compileWorkflowPage(sysdb, filter, 101, cursor);
  const result = await sysdb.db.executeQuery<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
    CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]),
  );
  return nodes(result.rows[0]!["QUERY PLAN"][0].Plan);
}

async function timed(filter: WorkflowPageFilter, cursor?: { createdAt: number; workflowID: string }) {
  const started = performance.now();
  const rows = await listWorkflowPage(sysdb, filter, 101, cursor);
  return { rows, ms: Math.round(performance.now() - started) };
}

// Common statuses read created_at's index in order and stop after a page; rare ones (PENDING,
// CANCELLED) may read their own partial index and sort just those rows, which is as bounded.
const cases: Array<[string, WorkflowPageFilter, boolean]> = [
  ["first page", {}, true],
  ["first page of one application", { applicationName: "dash-test" }, true],
  ["status SUCCESS", { status: ["SUCCESS"] }, true],
  ["status ERROR", { status: ["ERROR"] }, true],
  ["status PENDING", { status: ["PENDING"] }, false],
  ["status CANCELLED (none)", { status: ["CANCELLED"] }, false],
];

test.each(cases)("%s: on an index, no sequential scan", async (label, filter, inOrder) => {
  const kinds = await plan(filter);
  const types = kinds.map((n) => n["Node Type"]);
  expect(types[0]).toBe("Limit");
  expect(types).not.toContain("Seq Scan");
  if (inOrder) expect(types).not.toContain("Sort");
  expect(kinds.some((n) => n["Index Name"] !== undefined)).toBe(true);
  const { rows, ms } = await timed(filter);
  const indexes = kinds.flatMap((n) => n["Index Name"] ?? []).join(", ");
  process.stdout.write(
    `${label}: ${rows.length} rows in ${ms} ms (${size} workflows; ${types.join(" > ")} on ${indexes})\n`,
  );
});

test("a later page starts where the last ended, on the index too", async () => {
  const first = await listWorkflowPage(sysdb, { status: ["SUCCESS"] }, 101);
  const last = first.at(-1)!;
  const cursor = { createdAt: last.createdAt, workflowID: last.workflowID };
  const types = (await plan({ status: ["SUCCESS"] }, cursor)).map((n) => n["Node Type"]);
  expect(types).not.toContain("Seq Scan");
  expect(types).not.toContain("Sort");
  const next = await listWorkflowPage(sysdb, { status: ["SUCCESS"] }, 101, cursor);
  expect(next[0]!.createdAt).toBeLessThanOrEqual(last.createdAt);
  expect(new Set([...first, ...next].map((w) => w.workflowID)).size).toBe(202);
  // Deep in the table (90% down), a page costs the same.
  const deep = size - Math.floor(size * 0.9);
  const { rows, ms } = await timed({}, { createdAt: Date.now() - size * 10 + deep * 10, workflowID: "seed-~" });
  expect(rows.length).toBe(101);
  process.stdout.write(`a page 90% down the table: ${rows.length} rows in ${ms} ms\n`);
});
