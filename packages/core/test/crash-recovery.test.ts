// Recovery after SIGKILL, proven with an effect log kept outside the database.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";
import { migratedTemplate } from "@durably/sysdb";
import { withSql } from "./support/with-sql.js";

const db = useTestDatabase({ template: migratedTemplate });
const worker = fileURLToPath(new URL("./support/crash-worker.mjs", import.meta.url));

function runWorker(mode: "start" | "recover", effectLog: string) {
  const child = spawn(process.execPath, [worker, db.url, mode, effectLog], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

test("a worker killed with SIGKILL mid-step resumes on relaunch; committed steps ran exactly once", async () => {
  const effectLog = join(mkdtempSync(join(tmpdir(), "durably-crash-")), "effects.log");
  const lines = () => (existsSync(effectLog) ? readFileSync(effectLog, "utf8").trim().split("\n") : []);

  const first = runWorker("start", effectLog);
  await expect.poll(() => lines().some((l) => l.startsWith("begin charge")), { timeout: 20_000 }).toBe(true);
  first.child.kill("SIGKILL");
  // Premise: the worker died of the SIGKILL, inside the step (it had not exited on its own).
  expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });

  const second = runWorker("recover", effectLog);
  expect(await second.exited, second.output().stderr).toEqual({ code: 0, signal: null });
  expect(JSON.parse(second.output().stdout)).toEqual({ reserved: 21, charged: 42, shipped: 43 });

  const executions = (verb: string, step: string) => lines().filter((l) => l.startsWith(`${verb} ${step} `)).length;
  // reserve's checkpoint committed before the kill: it never ran again.
  expect([executions("begin", "reserve"), executions("end", "reserve")]).toEqual([1, 1]);
  // charge was cut off before its checkpoint: it ran again, and finished once.
  expect([executions("begin", "charge"), executions("end", "charge")]).toEqual([2, 1]);
  expect([executions("begin", "ship"), executions("end", "ship")]).toEqual([1, 1]);

  await withSql(db.url, async (sql) => {
    const steps =
      await sql`select function_id, function_name from dbos.operation_outputs where workflow_uuid = 'crash-order'
        order by 1`;
    expect(steps.map((s: any) => s.function_name)).toEqual(["reserve", "charge", "ship"]);
    const [status] = await sql`select status, recovery_attempts::int as attempts, executor_id from dbos.workflow_status
        where workflow_uuid = 'crash-order'`;
    expect(status).toEqual({ status: "SUCCESS", attempts: 2, executor_id: "crash-executor" });
  });
});
