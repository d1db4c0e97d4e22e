// A no-change rebuild is fully cached: no build task hashes a file it writes itself (sysdb's
// generated migrations once were one of its own inputs, so every second `pnpm demo` rebuilt).
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const turbo = (args: string[]) =>
  execFileSync("pnpm", ["exec", "turbo", "run", "build", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    maxBuffer: 64 << 20,
  });

interface DryTask {
  taskId: string;
  command: string;
  cache: { status: string };
  inputs: Record<string, string>;
  outputs: string[] | null;
}

test("after a build, every build task is a cache hit and none hashes its own outputs", () => {
  turbo(["--output-logs=none"]); // premise: the tree as it is now has been built once
  const tasks = (JSON.parse(turbo(["--dry=json"])) as { tasks: DryTask[] }).tasks.filter(
    (t) => t.command !== "<NONEXISTENT>",
  );
  expect(tasks.length).toBeGreaterThan(5);
  for (const task of tasks) {
    const outputDirs = (task.outputs ?? []).map((glob) => glob.replace(/\*\*.*$/, ""));
    const ownOutputs = Object.keys(task.inputs).filter((file) => outputDirs.some((dir) => file.startsWith(dir)));
    expect(ownOutputs, `${task.taskId} hashes files it writes`).toEqual([]);
  }
  expect(tasks.filter((t) => t.cache.status !== "HIT").map((t) => t.taskId)).toEqual([]);
}, 600_000);
