// A no-change rebuild is fully cached: no build task hashes a file it writes itself (sysdb's
// generated migrations once were one of its own inputs, so every second `pnpm demo` rebuilt), and
// pnpm demo's build names each package it builds or replays.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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

test("pnpm demo's build names each package it builds, and after a build replays every one from the cache", () => {
  const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> })
    .scripts;
  // The demo's first command, as pnpm demo runs it: `turbo run build --filter=… --output-logs=hash-only`.
  const [command, ...args] = scripts.demo!.split(" && ")[0]!.split(" ");
  expect([command, ...args.slice(0, 2)]).toEqual(["turbo", "run", "build"]);
  turbo(["--output-logs=none"]); // premise: built once
  const output = execFileSync("pnpm", ["exec", command!, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
  });
  const named = [...output.matchAll(/^(@durably\/[\w-]+):build: cache (hit|miss)/gm)].map((m) => [m[1], m[2]]);
  expect(named.map(([name]) => name)).toEqual(expect.arrayContaining(["@durably/sysdb", "@durably/core"]));
  expect(named.filter(([, status]) => status !== "hit")).toEqual([]);
}, 600_000);
