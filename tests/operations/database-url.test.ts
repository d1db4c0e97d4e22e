// Every entry point a person types a database URL into (the CLI, the demo) refuses a malformed one
// naming where it came from (exit 2), and a refused, unknown or wrong server in one line with the
// fix (exit 3), without waiting out retries. createDBOSContext/createClient: packages/core/test.
import { refusedPort } from "@durably/testing";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { useTestDatabase } from "@durably/testing/vitest";
import { describe, expect, test } from "vitest";

const db = useTestDatabase();
const require = createRequire(import.meta.url);
const cliPath = join(dirname(require.resolve("@durably/cli/package.json")), "dist", "main.js");
const demoDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples");
const form = "A Postgres URL looks like postgres://user:password@host:5432/database.";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string | undefined>, cwd?: string): Promise<Run> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete fullEnv[key];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { env: fullEnv, timeout: 60_000, ...(cwd === undefined ? {} : { cwd }) },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const durably = (args: string[], env: Record<string, string | undefined>) => run([cliPath, ...args], env);

function withUrl(change: (url: URL) => void): string {
  const url = new URL(db.url);
  change(url);
  return url.toString();
}

/** One line on stderr, no stack trace. */
function expectOneLine(stderr: string): void {
  expect(stderr.trim().split("\n"), stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe("the CLI refuses a malformed URL with exit code 2, naming --db or DBOS_SYSTEM_DATABASE_URL", () => {
  test.each([
    ["localhost:5432", "has no scheme"],
    ["http://127.0.0.1:5432/app", "has the scheme http://"],
    ["postgres:///app", "has no host"],
    ["postgres://u:hunter2@127.0.0.1:abc/app", "has a port that is not a number"],
    ["postgres://postgres:hunter2@127.0.0.1:5432", "names no database"],
    ["postgres://postgres@127.0.0.1:5432/", "names no database"],
  ])("%j: %s", async (url, problem) => {
    for (const [args, name, env] of [
      [["workflow", "list"], "DBOS_SYSTEM_DATABASE_URL", { DBOS_SYSTEM_DATABASE_URL: url }],
      [["--db", url, "migrate"], "--db", { DBOS_SYSTEM_DATABASE_URL: undefined }],
    ] as const) {
      const result = await durably([...args], env);
      expect(result.stderr).toContain(`error: ${name} "`);
      expect(result.stderr).toContain(problem);
      expect(result.stderr).toContain(form);
      expect(result.stderr).not.toContain("hunter2");
      expectOneLine(result.stderr);
      expect(result.code, result.stderr).toBe(2);
    }
  });
});

describe("the CLI says why it cannot connect in one line and exits 3", () => {
  test("a refused port: workflow list and migrate say connection refused after one attempt", async () => {
    const port = await refusedPort();
    const url = `postgres://postgres:hunter2@127.0.0.1:${port}/app`;
    for (const args of [["workflow", "list"], ["migrate"], ["queue", "list"]]) {
      const result = await durably(args, { DBOS_SYSTEM_DATABASE_URL: url });
      // The exact line: no "(tried N times …)", so the CLI gave up after its first attempt.
      expect(result.stderr).toBe(
        `error: Connection refused by 127.0.0.1:${port}: no Postgres accepts connections there. ` +
          "Start Postgres, or correct the host and port in DBOS_SYSTEM_DATABASE_URL.\n",
      );
      expect(result.code).toBe(3);
    }
    const viaFlag = await durably(["--db", url, "workflow", "list"], { DBOS_SYSTEM_DATABASE_URL: undefined });
    expect(viaFlag.stderr).toContain("correct the host and port in --db.");
    expect(viaFlag.code).toBe(3);
  });

  test("an unknown host, a refused login and a missing database", async () => {
    const unknown = await durably(["workflow", "list"], {
      DBOS_SYSTEM_DATABASE_URL: withUrl((u) => (u.hostname = "durably-no-such-host.invalid")),
    });
    expect(unknown.stderr).toBe(
      "error: Unknown host durably-no-such-host.invalid: its name does not resolve. " +
        "Correct the host in DBOS_SYSTEM_DATABASE_URL.\n",
    );
    expect(unknown.code).toBe(3);

    const login = await durably(["migrate"], {
      DBOS_SYSTEM_DATABASE_URL: withUrl((u) => (u.username = "durably_no_such_role")),
    });
    expect(login.stderr).toMatch(
      /^error: Postgres at .+ refused the login: role "durably_no_such_role" does not exist\. Correct the user/,
    );
    expectOneLine(login.stderr);
    expect(login.code).toBe(3);

    const missing = await durably(["workflow", "list"], {
      DBOS_SYSTEM_DATABASE_URL: withUrl((u) => (u.pathname = "/durably_no_such_database")),
    });
    expect(missing.stderr).toMatch(
      /^error: The database "durably_no_such_database" does not exist on .+`durably migrate`.+_DATABASE_URL\.\n$/,
    );
    expect(missing.code).toBe(3);
  });
});

describe("the demo prints one line and exits non-zero", () => {
  const demo = (url: string) =>
    run([require.resolve("tsx/cli"), "order-processing.ts"], { DBOS_SYSTEM_DATABASE_URL: url }, demoDir);

  test("a malformed DBOS_SYSTEM_DATABASE_URL", async () => {
    const result = await demo("localhost:5432");
    expect(result.stderr).toBe(
      'error: DBOS_SYSTEM_DATABASE_URL "localhost:5432" has no scheme: ' +
        `it must start with postgres:// or postgresql://. ${form}\n`,
    );
    expect(result.code).toBe(1);
  });

  test("a refused port", async () => {
    const port = await refusedPort();
    const result = await demo(`postgres://postgres@127.0.0.1:${port}/app`);
    expect(result.stderr).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    expect(result.stderr).toContain("unset it to use an embedded Postgres");
    expectOneLine(result.stderr);
    expect(result.code).toBe(1);
  });
});
