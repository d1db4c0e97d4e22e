// A real PgBouncer (Debian's `pgbouncer`) in transaction mode in front of a test server, on a free
// port, so tests can prove durably works through a pooler that lends a server connection per
// transaction (no session: LISTEN does not hear, prepared statements do not last).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface PgBouncerOptions {
  /** The server PgBouncer forwards to (its host, port, user and password; the database comes from the client). */
  readonly upstreamUrl: string;
  /** Server connections per database and user: small, so transactions really share them. Default 4. */
  readonly poolSize?: number;
}

export interface PgBouncer {
  readonly port: number;
  /** `url` (a database on the upstream server) rewritten to go through PgBouncer. */
  url(url: string): string;
  /**
   * Stops PgBouncer at once (SIGKILL: clients' connections drop) and starts it again on the same
   * port, after `downMs` (default 0) during which connections are refused.
   */
  restart(options?: { readonly downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** The pgbouncer binary, or undefined when this machine has none (the reason to skip). */
export function pgbouncerBinary(): string | undefined {
  for (const path of ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]) if (existsSync(path)) return path;
  return undefined;
}

/**
 * Starts PgBouncer with `pool_mode = transaction` on a free port of 127.0.0.1. Runs as the
 * `postgres` user when this process is root (PgBouncer refuses root).
 *
 * @example
 * const bouncer = await startPgBouncer({ upstreamUrl: process.env.DURABLY_TEST_DATABASE_URL! });
 * const pooled = bouncer.url(db.url); // postgres://postgres@127.0.0.1:<port>/<db>
 * await bouncer.stop();
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  if (binary === undefined) throw new Error("pgbouncer is not installed (apt-get install pgbouncer)");
  const upstream = new URL(options.upstreamUrl);
  const dir = await mkdtemp(join(tmpdir(), "durably-pgbouncer-"));
  const asPostgres = process.getuid?.() === 0;
  const port = await freePort();
  const forward = [
    `host=${upstream.hostname}`,
    `port=${upstream.port || "5432"}`,
    `user=${decodeURIComponent(upstream.username || "postgres")}`,
    ...(upstream.password === "" ? [] : [`password=${decodeURIComponent(upstream.password)}`]),
  ].join(" ");
  const ini = join(dir, "pgbouncer.ini");
  const pidFile = join(dir, "pgbouncer.pid");
  await writeFile(
    ini,
    [
      "[databases]",
      `* = ${forward}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      // The upstream trusts this client; PgBouncer forwards as the user above.
      "auth_type = any",
      "pool_mode = transaction",
      `default_pool_size = ${options.poolSize ?? 4}`,
      "max_client_conn = 500",
      "server_login_retry = 1",
      `logfile = ${join(dir, "pgbouncer.log")}`,
      `pidfile = ${pidFile}`,
      "ignore_startup_parameters = extra_float_digits,options",
      "",
    ].join("\n"),
  );
  if (asPostgres) {
    const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
    const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
    await chmod(dir, 0o755);
    await chown(dir, uid, gid);
    await chown(ini, uid, gid);
  }
  const start = async () => {
    const command = asPostgres ? ["runuser", "-u", "postgres", "--", binary, "-d", ini] : [binary, "-d", ini];
    await run(command[0]!, command.slice(1));
    await waitFor(() => canConnect(port), `PgBouncer did not listen on 127.0.0.1:${port} (see ${dir})`);
  };
  const kill = async () => {
    const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
    if (!(pid > 0)) return;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      return; // already gone
    }
    await waitFor(() => !alive(pid), `PgBouncer (pid ${pid}) did not exit`);
    await rm(pidFile, { force: true });
  };
  await start();
  return {
    port,
    url(url: string) {
      const through = new URL(url);
      through.hostname = "127.0.0.1";
      through.port = String(port);
      return through.toString();
    },
    async restart({ downMs = 0 } = {}) {
      await kill();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const client = connect(port, "127.0.0.1");
    client.once("connect", () => {
      client.destroy();
      resolve(true);
    });
    client.once("error", () => resolve(false));
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, failure: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function freePort(): Promise<number> {
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
