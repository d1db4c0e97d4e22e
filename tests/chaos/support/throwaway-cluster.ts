// A Postgres cluster of our own in a temp folder, so a chaos run may crash it (pg_ctl -m immediate)
// without touching any server someone else uses.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { appendFile, chmod, chown, mkdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Settings every chaos cluster gets; `track_commit_timestamp` is what the I4 check reads. */
const baseSettings: Readonly<Record<string, string>> = {
  listen_addresses: "'127.0.0.1'",
  unix_socket_directories: "'/tmp'",
  track_commit_timestamp: "on",
  max_connections: "200",
  // A process crash (pg_ctl -m immediate) keeps what was write()n to the kernel: fsync only
  // matters for an OS crash, which we do not simulate. synchronous_commit stays on.
  fsync: "off",
  log_min_messages: "warning",
};

/** The folder holding initdb and pg_ctl: DURABLY_CHAOS_PG_BIN, else Debian's newest. Undefined if none. */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DURABLY_CHAOS_PG_BIN) return env.DURABLY_CHAOS_PG_BIN;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/** A port nobody listens on right now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface ThrowawayClusterOptions {
  /** The run's folder; the cluster lives in `<baseDir>/pgdata`. */
  readonly baseDir: string;
  readonly binDir: string;
}

export class ThrowawayCluster {
  readonly port: number;
  readonly dataDir: string;
  readonly #binDir: string;
  readonly #asPostgres: boolean;

  private constructor(port: number, dataDir: string, binDir: string) {
    this.port = port;
    this.dataDir = dataDir;
    this.#binDir = binDir;
    // initdb and postgres refuse to run as root.
    this.#asPostgres = process.getuid?.() === 0;
  }

  /** initdb (trust auth) and start; the caller must {@link destroy} it, also on failure. */
  static async create(options: ThrowawayClusterOptions): Promise<ThrowawayCluster> {
    const dataDir = join(options.baseDir, "pgdata");
    const cluster = new ThrowawayCluster(await freePort(), dataDir, options.binDir);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (cluster.#asPostgres) {
      await chmod(options.baseDir, 0o711); // postgres must traverse it to reach pgdata
      const { stdout } = await run("id", ["-u", "postgres"]);
      const { stdout: gid } = await run("id", ["-g", "postgres"]);
      await chown(dataDir, Number(stdout.trim()), Number(gid.trim()));
    }
    await cluster.#pg(
      "initdb",
      ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
      120_000,
    );
    const settings = { ...baseSettings, port: String(cluster.port) };
    await appendFile(
      join(dataDir, "postgresql.conf"),
      Object.entries(settings)
        .map(([k, v]) => `${k} = ${v}\n`)
        .join(""),
    );
    await cluster.start();
    return cluster;
  }

  /**
   * A streaming standby of `primary` (pg_basebackup -R: it follows the primary's WAL, read-only)
   * in `<baseDir>/pgdata`, started; the caller must {@link destroy} it.
   */
  static async standbyOf(primary: ThrowawayCluster, options: ThrowawayClusterOptions): Promise<ThrowawayCluster> {
    const dataDir = join(options.baseDir, "pgdata");
    const standby = new ThrowawayCluster(await freePort(), dataDir, options.binDir);
    if (standby.#asPostgres) {
      await mkdir(options.baseDir, { recursive: true });
      await chmod(options.baseDir, 0o777); // pg_basebackup, as postgres, creates pgdata here
    }
    await standby.#pg(
      "pg_basebackup",
      [
        "-h",
        "127.0.0.1",
        "-p",
        String(primary.port),
        "-U",
        "postgres",
        "-D",
        dataDir,
        "-R",
        "-X",
        "stream",
        "--no-sync",
      ],
      120_000,
    );
    await appendFile(join(dataDir, "postgresql.conf"), `port = ${standby.port}\nhot_standby = on\n`);
    await standby.start();
    return standby;
  }

  /** Stops the server at once (`pg_ctl stop -m immediate`: no shutdown checkpoint, as a crash). */
  async stopImmediately(): Promise<void> {
    await this.#pg("pg_ctl", ["-D", this.dataDir, "-m", "immediate", "-w", "stop"], 30_000);
  }

  /** Promotes a standby to primary and waits until it accepts writes. */
  async promote(): Promise<void> {
    await this.#pg("pg_ctl", ["-D", this.dataDir, "-w", "-t", "60", "promote"], 70_000);
  }

  /** A URL of this cluster (superuser, trust auth). */
  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    await this.#pg(
      "pg_ctl",
      ["-D", this.dataDir, "-l", join(this.dataDir, "server.log"), "-w", "-t", "60", "start"],
      70_000,
    );
  }

  /** Kills the server at once (like a power cut for the processes), waits `downMs`, starts it again. */
  async crashRestart(downMs: number): Promise<void> {
    await this.#pg("pg_ctl", ["-D", this.dataDir, "-m", "immediate", "-w", "stop"], 30_000);
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
  }

  /** True when the postmaster answers pg_ctl status. */
  async isRunning(): Promise<boolean> {
    try {
      await this.#pg("pg_ctl", ["-D", this.dataDir, "status"], 10_000);
      return true;
    } catch {
      return false;
    }
  }

  /** Stops the server (immediately) and deletes its files. Never throws. */
  async destroy(): Promise<void> {
    if (await this.isRunning()) {
      await this.#pg("pg_ctl", ["-D", this.dataDir, "-m", "immediate", "-w", "stop"], 30_000).catch(() => undefined);
    }
    await rm(this.dataDir, { recursive: true, force: true }).catch(() => undefined);
  }

  async #pg(program: string, args: string[], timeout: number): Promise<void> {
    const binary = join(this.#binDir, program);
    const [file, argv] = this.#asPostgres ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, args];
    try {
      // cwd: runuser keeps the caller's cwd, which postgres may not be allowed to read.
      await run(file, argv, { timeout, cwd: "/tmp" });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${program} ${args.join(" ")} failed: ${e.stderr || e.stdout || e.message}`.trim(), {
        cause: error,
      });
    }
  }
}
