// `pnpm durably …` works from anywhere in the repo, and install links the bin without warnings:
// the CLI's bin is a committed file, present before any build (it loads dist/main.js when run).
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

test("the CLI's bin is a committed, executable file, so install can link it before the build", () => {
  const { bin } = JSON.parse(readFileSync(join(root, "packages", "cli", "package.json"), "utf8")) as {
    bin: Record<string, string>;
  };
  const path = join("packages", "cli", bin.durably!);
  const staged = execFileSync("git", ["ls-files", "--stage", "--", path], { cwd: root, encoding: "utf8" });
  expect(staged, `${path} is not committed`).toMatch(/^100755 /);
});

test.each(["examples", "packages/core", "."])("pnpm durably --help runs from %s", (dir) => {
  const help = execFileSync("pnpm", ["durably", "--help"], { cwd: join(root, dir), encoding: "utf8", timeout: 60_000 });
  expect(help).toContain("Usage: durably [options] [command]");
});

test("a reader that closes the pipe early (durably --help | head -1) gets no EPIPE stack trace", async () => {
  const child = spawn(process.execPath, [join(root, "packages", "cli", "bin", "durably.js"), "--help"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.destroy(); // as head does after its first line
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  expect(stderr).not.toMatch(/EPIPE|Error/);
  expect(code).toBe(0);
});
