// `pnpm test` says which Postgres it uses: the global setup prints one line naming the server.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { maskPassword } from "../src/index.js";

const globalSetup = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "global-setup.js");

test("the global setup prints how it found the server, its URL and its version", async () => {
  expect(existsSync(globalSetup), `${globalSetup} is missing: run pnpm build first`).toBe(true);
  const adminUrl = process.env.DURABLY_TEST_ADMIN_URL!; // this run's server, from our own global setup
  const { DURABLY_TEST_ADMIN_URL: _outer, ...env } = process.env;
  const script =
    `const { default: setup } = await import(${JSON.stringify(pathToFileURL(globalSetup).href)}); await ` +
    `(await setup())();`;
  const stdout = await new Promise<string>((resolve, reject) => {
    const options = { env: { ...env, DURABLY_TEST_DATABASE_URL: adminUrl }, timeout: 60_000 };
    execFile(process.execPath, ["--input-type=module", "-e", script], options, (error, out, err) =>
      error ? reject(new Error(err)) : resolve(out),
    );
  });
  const line = `durably tests: using DURABLY_TEST_DATABASE_URL ${maskPassword(adminUrl)} (PostgreSQL `;
  expect(stdout).toContain(line);
  expect(stdout.trim().split("\n")).toHaveLength(1);
  expect(stdout).toMatch(/\(PostgreSQL \d+\.\d+\)\n$/);
});

test("maskPassword hides a URL's password and leaves a URL without one alone", () => {
  expect(maskPassword("postgres://postgres:s3cr%40t@127.0.0.1:5432/app")).toBe(
    "postgres://postgres:***@127.0.0.1:5432/app",
  );
  expect(maskPassword("postgres://postgres@127.0.0.1:5432/postgres")).toBe(
    "postgres://postgres@127.0.0.1:5432/postgres",
  );
});
