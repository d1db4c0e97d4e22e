// The `durably` command through a real PgBouncer in transaction mode (2 server connections):
// --transaction-pooler (or DURABLY_TRANSACTION_POOLER) and --listen-db (or
// DURABLY_LISTEN_DATABASE_URL), checked before anything runs; four `durably migrate` at once on
// a fresh database migrate it once; workflow commands, `durably dashboard` and `durably metrics`
// read through the pooler.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { createClient, enqueueWorkflow, shutdown } from "@durably/core";
import { latestMigrationVersion } from "@durably/sysdb";
import {
  assertPremise,
  pgbouncerBinary,
  skipForMissingPremise,
  startPgBouncer,
  type PgBouncer,
} from "@durably/testing";
import { useTestDatabase } from "@durably/testing/vitest";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const missing = pgbouncerBinary() === undefined ? "pgbouncer is not installed (apt-get install pgbouncer)" : undefined;
const skip = skipForMissingPremise("the CLI through PgBouncer", missing);
const db = useTestDatabase(); // fresh: `durably migrate` builds the schema
/** What a client logs (at warn) when, behind a transaction pooler without a listen URL, it polls. */
const pollingWarning = "notifications do not reach this process";
const cliPath = join(dirname(createRequire(import.meta.url).resolve("@durably/cli/package.json")), "dist", "main.js");

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with the pooler variables cleared unless `env` sets them. */
function durably(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: {
      ...process.env,
      NO_COLOR: "1",
      DURABLY_TRANSACTION_POOLER: "",
      DURABLY_LISTEN_DATABASE_URL: "",
      DBOS_SYSTEM_DATABASE_URL: "",
      ...env,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  // A statement that hangs behind the pooler (a prepared statement lent another server connection) fails here.
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Starts a long-running command (dashboard, metrics) and waits for `ready` on its stdout. */
async function serve(
  args: string[],
  ready: RegExp,
): Promise<{ match: RegExpExecArray; stderr(): string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, NO_COLOR: "1", DURABLY_TRANSACTION_POOLER: "", DURABLY_LISTEN_DATABASE_URL: "" },
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const stop = async () => {
    child.kill("SIGINT");
    return exited;
  };
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${ready} in 30 s; stderr: ${stderr}`)), 30_000);
      child.stdout.on("data", (d) => {
        stdout += d;
        const found = ready.exec(stdout);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
      void exited.then((code) => reject(new Error(`exited with ${code}; stderr: ${stderr}`)));
    });
    return { match, stderr: () => stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

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

describe.skipIf(skip)("the durably command through PgBouncer in transaction mode", () => {
  let bouncer: PgBouncer;
  let pooled: string;

  beforeAll(async () => {
    assertPremise(missing);
    bouncer = await startPgBouncer({ upstreamUrl: db.url, poolSize: 2 });
    pooled = bouncer.url(db.url);
  });
  afterAll(() => bouncer?.stop());

  test("malformed pooler settings are usage errors (exit code 2) naming the flag or variable", async () => {
    const flag = await durably(["--db", pooled, "--listen-db", "not-a-url", "workflow", "list"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--listen-db "not-a-url"');
    const listenEnv = await durably(["--db", pooled, "workflow", "list"], {
      DURABLY_LISTEN_DATABASE_URL: "mysql://x/y",
    });
    expect(listenEnv.code).toBe(2);
    expect(listenEnv.stderr).toContain("DURABLY_LISTEN_DATABASE_URL");
    const poolerEnv = await durably(["--db", pooled, "migrate"], { DURABLY_TRANSACTION_POOLER: "yes" });
    expect(poolerEnv.code).toBe(2);
    expect(poolerEnv.stderr).toContain('DURABLY_TRANSACTION_POOLER must be true, 1, false or 0, got "yes"');
    const help = await durably(["--help"]);
    expect(help.stdout).toContain("--transaction-pooler");
    expect(help.stdout).toContain("--listen-db <url>");
  });

  test("four `durably migrate` at once through the pooler: one applies every migration, the others find it done", async () => {
    const runs = await Promise.all([
      durably(["--db", pooled, "--transaction-pooler", "--json", "migrate"]),
      durably(["--db", pooled, "--transaction-pooler", "--json", "migrate"]),
      durably(["--db", pooled, "--json", "migrate"], { DURABLY_TRANSACTION_POOLER: "true" }),
      durably(["--json", "migrate"], { DBOS_SYSTEM_DATABASE_URL: pooled, DURABLY_TRANSACTION_POOLER: "1" }),
    ]);
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const applied = runs.map((run) => (JSON.parse(run.stdout) as { applied: number[] }).applied);
    const all = Array.from({ length: latestMigrationVersion }, (_, i) => i + 1);
    expect(applied.filter((a) => a.length > 0)).toEqual([all]);
    expect(applied.filter((a) => a.length === 0)).toHaveLength(3);
    const direct = postgres(db.url, { max: 1, onnotice: () => undefined });
    try {
      const rows = await direct`select version from dbos.durably_migrations order by version`;
      expect(rows.map((r) => r.version)).toEqual(all);
    } finally {
      await direct.end();
    }
  });

  test("workflow list, dashboard and metrics read through the pooler", async () => {
    const client = await createClient({
      systemDatabaseUrl: pooled,
      transactionPooler: true,
      appName: "cli-pooled",
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    try {
      for (let i = 0; i < 3; i++)
        await enqueueWorkflow(client, "report", i, { queue: "reports", workflowID: `cli-pooled-${i}` });
    } finally {
      await shutdown(client);
    }
    const list = await durably([
      "--db",
      pooled,
      "--transaction-pooler",
      "--json",
      "workflow",
      "list",
      "--queue",
      "reports",
    ]);
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout) as Array<{ workflowID: string }>;
    expect(listed.map((w) => w.workflowID).sort()).toEqual(["cli-pooled-0", "cli-pooled-1", "cli-pooled-2"]);

    const dashboard = await serve(
      ["--db", pooled, "--transaction-pooler", "--listen-db", db.url, "dashboard", "--port", "0"],
      /durably dashboard on (\S+)/,
    );
    try {
      const api = await fetch(new URL("/api/workflows", dashboard.match[1]!));
      const body = (await api.json()) as { workflows: Array<{ workflowID: string }> };
      expect(body.workflows.map((w) => w.workflowID).sort()).toEqual(["cli-pooled-0", "cli-pooled-1", "cli-pooled-2"]);
      // --listen-db reached the client: it LISTENs directly, so it does not poll.
      expect(dashboard.stderr()).not.toContain(pollingWarning);
    } finally {
      expect(await dashboard.stop()).toBe(0);
    }

    const port = await freePort();
    const metrics = await serve(
      ["--db", pooled, "--transaction-pooler", "metrics", "--port", String(port)],
      /durably metrics on (\S+)/,
    );
    try {
      // --transaction-pooler reached the client: without --listen-db it says once that it polls.
      await expect.poll(() => metrics.stderr(), { timeout: 10_000 }).toContain(pollingWarning);
      const text = await (await fetch(metrics.match[1]!)).text();
      expect(text).toMatch(
        /durably_queue_depth\{[^}]*dbos_queue_name="reports"[^}]*durably_queue_status="ENQUEUED"[^}]*\} 3\b/,
      );
    } finally {
      expect(await metrics.stop()).toBe(0);
    }
  });
});
