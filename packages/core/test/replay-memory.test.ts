// Recovering a workflow whose 100 steps each returned 5 MB stays under a memory bound: the replay
// reads each large output when it reaches its step, never the whole history at once.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { useTestDatabase } from "@durably/testing/vitest";
import { migratedTemplate } from "@durably/sysdb";
import { expect, test } from "vitest";
import { withSql } from "./support/with-sql.js";

const db = useTestDatabase({ template: migratedTemplate });
const worker = fileURLToPath(new URL("./support/replay-memory-worker.mjs", import.meta.url));
const steps = 100;
const stepBytes = 5 * 1024 * 1024;
/** The bound: well under the 500 MiB of outputs that a whole-history load would hold as strings. */
const boundBytes = 300 * 1024 * 1024;

function runWorker(mode: "start" | "recover") {
  const child = spawn(process.execPath, [worker, db.url, mode, String(steps)], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

test("recovering 100 steps of 5 MB each keeps the peak RSS under 300 MiB", async () => {
  const first = runWorker("start");
  await expect.poll(() => first.output().stdout, { timeout: 60_000 }).toContain("recorded");
  first.child.kill("SIGKILL");
  expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });

  // Each recorded output becomes a 5 MiB string (compressed by TOAST on disk, 5 MiB on the wire).
  await withSql(db.url, async (sql) => {
    await sql`update dbos.operation_outputs
      set output = '{"json":"' || repeat('x', ${stepBytes}) || '","__dbos_serializer":"superjson"}'
      where workflow_uuid = 'memory-replay'`;
    const [stored] = await sql`select count(*)::int as n, sum(octet_length(output))::int8 as bytes
      from dbos.operation_outputs where workflow_uuid = 'memory-replay'`;
    // Premise: the history is larger than the bound, so holding it all at once would break it.
    expect(stored!.n).toBe(steps);
    expect(Number(stored!.bytes)).toBeGreaterThan(boundBytes);
  });

  const second = runWorker("recover");
  expect(await second.exited, second.output().stderr).toEqual({ code: 0, signal: null });
  const report = JSON.parse(second.output().stdout) as {
    total: number;
    baselineRssBytes: number;
    peakRssBytes: number;
  };
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
  console.log(
    `replay of ${steps} × ${mib(stepBytes)} steps: peak RSS ${mib(report.peakRssBytes)} ` +
      `(baseline ${mib(report.baselineRssBytes)}, bound ${mib(boundBytes)})`,
  );
  expect(report.total).toBe(steps * stepBytes);
  expect(report.peakRssBytes).toBeLessThan(boundBytes);
}, 240_000);
