// The races these tests cover happen between processes (vitest workers, a killed demo), so they run
// real child processes against the built package.
import { execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startEmbeddedPostgres, templateDatabaseName } from "../src/index.js";
import { isAlive } from "../src/embedded/inspect-process.js";
import { stopPostmaster } from "../src/embedded/stop-postmaster.js";
import { adminUrlFromSetup } from "./support/admin-url.js";

const run = promisify(execFile);
const packageDir = join(import.meta.dirname, "..");
const adminUrl = adminUrlFromSetup();
const key = `selftest-processes-${process.pid}-${Date.now().toString(36)}`;
let root = "";

/** Runs an ES module in a child node process that imports the built `@durably/testing`. */
function node(source: string, env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, ["--input-type=module", "-e", source], {
    cwd: packageDir,
    env: { ...process.env, ...env },
  });
}

function output(child: ReturnType<typeof node>): Promise<string> {
  let text = "";
  child.stdout.on("data", (chunk) => (text += chunk));
  child.stderr.on("data", (chunk) => (text += chunk));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(text)))),
  );
}

beforeAll(async () => {
  // The children import dist/, so build it from the current sources first.
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  await run(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: packageDir });
  root = await mkdtemp(join(tmpdir(), "durably-processes-test-"));
  await chmod(root, 0o755);
}, 60_000);

afterAll(async () => {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = templateDatabaseName(key);
  if ((await sql`select 1 from pg_database where datname = ${name}`).length > 0) {
    await sql`alter database ${sql(name)} with is_template false`;
    await sql`drop database ${sql(name)}`;
  }
  await sql.end();
  await rm(root, { recursive: true, force: true });
});

test("four processes racing for one template run its setup once", async () => {
  const source = `
    import postgres from "postgres";
    import { createTestDatabase } from "@durably/testing";
    let ran = false;
    const db = await createTestDatabase({ template: { key: ${JSON.stringify(key)}, setup: async (url) => {
      ran = true;
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      await sql\`create table builder (pid int not null)\`;
      await sql\`insert into builder values (\${process.pid})\`;
      await new Promise((resolve) => setTimeout(resolve, 500));
      await sql.end();
    } } });
    const sql = postgres(db.url, { max: 1 });
    const rows = await sql\`select pid from builder\`;
    await sql.end();
    await db.drop();
    console.log(JSON.stringify({ ran, builders: rows.map((r) => r.pid) }));`;
  const results = (await Promise.all([1, 2, 3, 4].map(() => output(node(source))))).map((text) => JSON.parse(text));
  expect(results.filter((r) => r.ran)).toHaveLength(1);
  const builders = new Set(results.flatMap((r) => r.builders));
  expect(builders.size).toBe(1);
});

test("a server whose starting process was killed is found and reused", async () => {
  const dataDir = join(root, "pg");
  const child = node(`
    import { startEmbeddedPostgres } from "@durably/testing";
    const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} });
    console.log(JSON.stringify({ pid: pg.pid, url: pg.url }));
    setInterval(() => {}, 1000);`);
  const started = await new Promise<{ pid: number; url: string }>((resolve, reject) => {
    child.stdout.once("data", (chunk) => resolve(JSON.parse(String(chunk))));
    child.once("exit", () => reject(new Error("child exited before starting Postgres")));
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL"); // premise: the starting process is gone, killed
  try {
    const reused = await startEmbeddedPostgres({ dataDir });
    expect(reused).toMatchObject({ startedHere: false, pid: started.pid, url: started.url });
    await reused.stop();
    expect(isAlive(started.pid)).toBe(true);
  } finally {
    await stopPostmaster(started.pid);
  }
});
