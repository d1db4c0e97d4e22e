// `durably dashboard` as a real subprocess: it prints its URL (with a generated token off loopback),
// serves the UI and API with the token and 401 without, and stops on SIGINT.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { migratedTemplate } from "@durably/sysdb";
import { useTestDatabase } from "@durably/testing/vitest";
import { expect, test } from "vitest";

const db = useTestDatabase({ template: migratedTemplate });
const cliPath = join(dirname(createRequire(import.meta.url).resolve("@durably/cli/package.json")), "dist", "main.js");

test("durably dashboard --host 0.0.0.0 prints a URL with a generated token and guards every request", async () => {
  const child = spawn(process.execPath, [cliPath, "--db", db.url, "dashboard", "--host", "0.0.0.0", "--port", "0"], {
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL in 30 s; stderr: ${stderr}`)), 30_000);
      child.stdout.on("data", (d) => {
        stdout += d;
        const match = /durably dashboard on (\S+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    expect(stderr).toContain("Generated a token");
    const token = new URL(url).searchParams.get("token");
    expect(token).toMatch(/^[\w-]{32}$/);
    const base = new URL(url).origin.replace("0.0.0.0", "127.0.0.1");
    expect((await fetch(`${base}/api/workflows`)).status).toBe(401);
    const page = await fetch(`${base}/?token=${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>durably dashboard</title>");
    const api = await fetch(`${base}/api/workflows`, { headers: { "x-durably-token": token! } });
    expect(await api.json()).toMatchObject({ workflows: [], nextCursor: null });
  } finally {
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  }
}, 60_000);

test("durably dashboard --live-interval out of range is refused, naming the flag", async () => {
  const child = spawn(
    process.execPath,
    [cliPath, "--db", db.url, "dashboard", "--port", "0", "--live-interval", "10"],
    {
      env: { ...process.env, NO_COLOR: "1" },
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  expect(code).not.toBe(0);
  expect(stderr).toContain("--live-interval must be from 50 to 60000 ms.");
}, 60_000);
