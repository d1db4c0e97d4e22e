// `pnpm test:pg 13` must really test 13: DURABLY_TEST_POSTGRES_MAJOR makes the global setup refuse
// a server of any other major, and checkServerMajor reads the major from server_version_num.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { checkServerMajor, failureOf, isTestDatabaseError } from "../src/index.js";

const adminUrl = process.env.DURABLY_TEST_ADMIN_URL!; // this run's server, from our own global setup
const failure = (fn: () => unknown) => failureOf(fn, isTestDatabaseError, "TestDatabaseError");

test("checkServerMajor resolves the server's major and refuses another or a malformed one", async () => {
  const major = await checkServerMajor(adminUrl, undefined);
  expect(major).toBeGreaterThanOrEqual(13);
  expect(await checkServerMajor(adminUrl, String(major))).toBe(major);
  expect(await checkServerMajor(adminUrl, "")).toBe(major);
  expect(await failure(() => checkServerMajor(adminUrl, String(major + 1)))).toMatch(
    new RegExp(`^WRONG_MAJOR: DURABLY_TEST_POSTGRES_MAJOR is ${major + 1} but .+ runs Postgres ${major}: `),
  );
  expect(await failure(() => checkServerMajor(adminUrl, "17.2"))).toMatch(
    /^INVALID_ARGUMENT: DURABLY_TEST_POSTGRES_MAJOR must be a Postgres major version/,
  );
});

test("the global setup fails when the server is not the major DURABLY_TEST_POSTGRES_MAJOR names", async () => {
  const major = await checkServerMajor(adminUrl, undefined);
  const globalSetup = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "global-setup.js");
  const script =
    `const { default: setup } = await import(${JSON.stringify(pathToFileURL(globalSetup).href)}); await ` +
    `(await setup())();`;
  const { DURABLY_TEST_ADMIN_URL: _outer, ...env } = process.env;
  const run = (expected: string) =>
    new Promise<{ ok: boolean; stderr: string }>((resolve) => {
      const options = {
        env: { ...env, DURABLY_TEST_DATABASE_URL: adminUrl, DURABLY_TEST_POSTGRES_MAJOR: expected },
        timeout: 60_000,
      };
      execFile(process.execPath, ["--input-type=module", "-e", script], options, (error, _out, stderr) =>
        resolve({ ok: !error, stderr }),
      );
    });
  expect(await run(String(major))).toMatchObject({ ok: true });
  const wrong = await run(String(major + 1));
  expect(wrong.ok).toBe(false);
  expect(wrong.stderr).toContain(`DURABLY_TEST_POSTGRES_MAJOR is ${major + 1} but `);
});
