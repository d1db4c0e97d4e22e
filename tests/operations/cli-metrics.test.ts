// `durably metrics` as a real subprocess: OpenTelemetry's Prometheus exporter serves the queue depth
// it reads from the system database at /metrics, and the command stops on SIGINT.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { createClient, enqueueWorkflow, shutdown } from "@durably/core";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";

const db = useTestDatabase({ template: migratedTemplate });
const cliPath = join(dirname(createRequire(import.meta.url).resolve("@durably/cli/package.json")), "dist", "main.js");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

test("durably metrics serves queue depth by status at /metrics in Prometheus's format", async () => {
  const client = await createClient({ systemDatabaseUrl: db.url, appName: "metrics-app" });
  try {
    // No worker serves this queue: the three stay ENQUEUED.
    for (let i = 0; i < 3; i++) await enqueueWorkflow(client, "reportJob", i, { queue: "reports" });
  } finally {
    await shutdown(client);
  }
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [cliPath, "--db", db.url, "metrics", "--port", String(port), "--window", "600"],
    {
      env: { ...process.env, NO_COLOR: "1" },
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    await expect
      .poll(() => stdout, { timeout: 30_000 })
      .toContain(`durably metrics on http://127.0.0.1:${port}/metrics`);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status, stderr).toBe(200);
    const text = await response.text();
    expect(text).toContain("# TYPE durably_queue_depth gauge");
    expect(text).toMatch(
      /durably_queue_depth\{[^}]*dbos_queue_name="reports"[^}]*durably_queue_status="ENQUEUED"[^}]*\} 3\b/,
    );
    // Fleet-wide: the three enqueued workflows by status and name (created within the window).
    expect(text).toContain("# TYPE durably_fleet_workflows gauge");
    expect(text).toMatch(
      /durably_fleet_workflows\{[^}]*durably_workflow_status="ENQUEUED"[^}]*durably_workflow_name="reportJob"[^}]*\} 3\b/,
    );
  } finally {
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  }
}, 60_000);
