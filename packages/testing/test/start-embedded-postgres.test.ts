import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, test } from "vitest";
import { isTestDatabaseError, startEmbeddedPostgres, type EmbeddedPostgres } from "../src/index.js";
import { isAlive } from "../src/embedded/inspect-process.js";
import { stopPostmaster } from "../src/embedded/stop-postmaster.js";

const roots: string[] = [];
const started: EmbeddedPostgres[] = [];
const fast = { fsync: "off" };

async function newRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "durably-embedded-test-"));
  await chmod(root, 0o755); // as root, Postgres runs as `postgres` and must enter it
  roots.push(root);
  return join(root, "pg");
}

async function start(dataDir: string, options: { startTimeoutMs?: number } = {}): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres({ dataDir, settings: fast, ...options });
  started.push(server);
  return server;
}

async function query(url: string): Promise<string> {
  const sql = postgres(url, { max: 1 });
  try {
    const [row] = await sql<{ version: string }[]>`select version()`;
    return row?.version ?? "";
  } finally {
    await sql.end();
  }
}

function stalePid(fileFor: string, pid: number): string {
  return `${pid}\n${fileFor}\n1700000000\n54321\n\n127.0.0.1\n  1234567  1\nready   \n`;
}

afterAll(async () => {
  for (const server of started) if (isAlive(server.pid)) process.kill(server.pid, "SIGINT");
  await new Promise((resolve) => setTimeout(resolve, 500));
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describe("startEmbeddedPostgres", () => {
  test("initialises an empty folder and starts Postgres 17; a later call reuses the running server", async () => {
    const dataDir = await newRoot();
    const first = await start(dataDir);
    expect(first.startedHere).toBe(true);
    expect(await query(first.url)).toMatch(/^PostgreSQL 17\./);

    // Same on-disk state as after the starting process was killed: a live postmaster.pid.
    const second = await start(dataDir);
    expect(second).toMatchObject({ startedHere: false, pid: first.pid, url: first.url });
    await second.stop(); // does nothing: it did not start the server
    expect(await query(second.url)).toMatch(/^PostgreSQL/);

    await first.stop();
    expect(isAlive(first.pid)).toBe(false);

    const third = await start(dataDir);
    expect(third).toMatchObject({ startedHere: true, port: first.port, url: first.url });
    await third.stop();
  });

  test("the starter leaves the server running while another user still needs it", async () => {
    const dataDir = await newRoot();
    const first = await start(dataDir);
    const second = await start(dataDir);
    await first.stop();
    expect(await query(second.url)).toMatch(/^PostgreSQL/);
    await second.stop(); // reused: never stops it
    expect(isAlive(first.pid)).toBe(true);
    await stopPostmaster(first.pid);
  });

  test("recovers after the postmaster itself was killed", async () => {
    const dataDir = await newRoot();
    const first = await start(dataDir);
    process.kill(first.pid, "SIGKILL");
    await expect.poll(() => isAlive(first.pid), { timeout: 10_000 }).toBe(false); // premise: it is dead
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // its children exit on postmaster death
    await first.stop(); // nothing left to stop; withdraws it as a user of the server
    const second = await start(dataDir);
    expect(second.startedHere).toBe(true);
    expect(await query(second.url)).toMatch(/^PostgreSQL/);
    await second.stop();
  });

  test("removes a postmaster.pid whose PID now belongs to another program", async () => {
    const dataDir = await newRoot();
    await (await start(dataDir)).stop();
    const impostor = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      await writeFile(join(dataDir, "pgdata", "postmaster.pid"), stalePid(join(dataDir, "pgdata"), impostor.pid!));
      const server = await start(dataDir);
      expect(server.startedHere).toBe(true);
      expect(await query(server.url)).toMatch(/^PostgreSQL/);
      await server.stop();
    } finally {
      impostor.kill();
    }
  });

  test("removes a postmaster.pid whose PID now belongs to another cluster's postgres", async () => {
    const dataDir = await newRoot();
    await (await start(dataDir)).stop();
    const other = await start(await newRoot());
    await writeFile(join(dataDir, "pgdata", "postmaster.pid"), stalePid(join(dataDir, "pgdata"), other.pid));
    const server = await start(dataDir);
    expect(server).toMatchObject({ startedHere: true });
    expect(server.pid).not.toBe(other.pid);
    await Promise.all([server.stop(), other.stop()]);
  });

  test("wipes and re-initialises a folder left by an interrupted initdb", async () => {
    const dataDir = await newRoot();
    await mkdir(join(dataDir, "pgdata", "base"), { recursive: true });
    await writeFile(join(dataDir, "pgdata", "postgresql.conf"), "# half written\n");
    const server = await start(dataDir);
    expect(server.startedHere).toBe(true);
    expect(await readdir(join(dataDir, "pgdata"))).toContain("PG_VERSION");
    expect(await query(server.url)).toMatch(/^PostgreSQL/);
    await server.stop();
  });

  test("keeps a complete cluster's data across restarts", async () => {
    const dataDir = await newRoot();
    const first = await start(dataDir);
    const sql = postgres(first.url, { max: 1, onnotice: () => {} });
    await sql`create table kept (x int)`;
    await sql.end();
    await first.stop();
    const second = await start(dataDir);
    const again = postgres(second.url, { max: 1 });
    expect(await again`select count(*)::int as n from kept`).toEqual([{ n: 0 }]);
    await again.end();
    await second.stop();
  });

  test("gives up with a typed error when another live process holds the lock past the deadline", async () => {
    const dataDir = await newRoot();
    await mkdir(dataDir, { recursive: true });
    const holder = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      await writeFile(join(dataDir, "lock"), String(holder.pid));
      const began = Date.now();
      const failed = startEmbeddedPostgres({ dataDir, startTimeoutMs: 500 });
      await expect(failed).rejects.toSatisfy(
        (err) => isTestDatabaseError(err) && err.code === "EMBEDDED_START" && /lock/.test(err.message),
      );
      expect(Date.now() - began).toBeLessThan(5_000);
    } finally {
      holder.kill();
    }
  });

  test("gives up with a typed error when startup outlasts the deadline", async () => {
    const dataDir = await newRoot();
    const failed = startEmbeddedPostgres({ dataDir, startTimeoutMs: 50 });
    await expect(failed).rejects.toSatisfy((err) => isTestDatabaseError(err) && err.code === "EMBEDDED_START");
    const pidFile = await readFile(join(dataDir, "pgdata", "postmaster.pid"), "utf8").catch(() => "");
    const pid = Number(pidFile.split("\n")[0]);
    expect(pid > 0 && isAlive(pid)).toBe(false);
  });
});
