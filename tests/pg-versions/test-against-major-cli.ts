// `pnpm test:pg <major> [package ...]`: runs packages' test suites on an embedded Postgres of another
// major than the machine's, so CI proves the range the README states. Each package runs through
// turbo, as `pnpm test` runs it, with DURABLY_TEST_DATABASE_URL pointing at that server and
// DURABLY_TEST_POSTGRES_MAJOR set, so its global setup fails if the server were any other.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { maskPassword } from "@durably/testing";
import { defaultPackages } from "./default-packages.js";
import { embeddedPackages, startEmbeddedMajor } from "./start-embedded-major.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const [major, ...chosen] = process.argv.slice(2);
if (!major || !Object.hasOwn(embeddedPackages, major)) {
  console.error(
    `usage: pnpm test:pg <major> [package ...]  (majors: ${Object.keys(embeddedPackages).join(", ")}; ` +
      `packages default to ${defaultPackages.join(" ")})`,
  );
  process.exit(2);
}
const packages = chosen.length > 0 ? chosen : defaultPackages;

const server = await startEmbeddedMajor(major, (line) => console.log(`embedded Postgres ${major}: ${line}`));
console.log(`pnpm test:pg ${major}: ${maskPassword(server.url)}`);
const times: string[] = [];
const failed: string[] = [];
try {
  for (const name of packages) {
    const started = Date.now();
    const code = await runTests(name, { DURABLY_TEST_DATABASE_URL: server.url, DURABLY_TEST_POSTGRES_MAJOR: major });
    times.push(`${name} ${Math.round((Date.now() - started) / 1000)}s${code === 0 ? "" : " (failed)"}`);
    if (code !== 0) failed.push(name);
    if (code === null) break; // interrupted
  }
} finally {
  await server.stop();
}
console.log(`pnpm test:pg ${major}: ${times.join(", ")}`);
if (failed.length > 0) {
  console.error(`pnpm test:pg ${major}: failed in ${failed.join(", ")}`);
  process.exit(1);
}

/** Runs one package's `test` task through turbo; resolves its exit code (null when interrupted). */
function runTests(name: string, env: Record<string, string>): Promise<number | null> {
  const [pkg, files] = name.split(":");
  const args = ["exec", "turbo", "run", "test", `--filter=@durably/${pkg}`, "--output-logs=full"];
  if (files) args.push("--", ...files.split(","));
  const child = spawn("pnpm", args, { cwd: repoRoot, stdio: "inherit", env: { ...process.env, ...env } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.once("SIGINT", forward).once("SIGTERM", forward);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      resolve(signal ? null : code);
    });
  });
}
