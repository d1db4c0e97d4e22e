// initdb runs once per data folder; a folder left by an interrupted initdb is wiped and rebuilt.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { access, chown, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { DataDirLayout } from "./data-dir-layout.js";
import type { OsUser } from "./postgres-os-user.js";
import { readServerConfig, writeServerConfig, type ServerConfig } from "./server-config.js";

const run = promisify(execFile);

export interface InitDataDirOptions {
  readonly layout: DataDirLayout;
  readonly initdb: string;
  readonly user: OsUser | undefined;
  readonly timeoutMs: number;
  readonly log: (message: string) => void;
}

/**
 * Makes sure `layout.pgdata` holds a complete cluster and returns its config. A cluster is complete
 * when `server.json` exists (written last) and `PG_VERSION` does; anything else is wiped and re-initialised.
 */
export async function initDataDir(options: InitDataDirOptions): Promise<ServerConfig> {
  const { layout, user, log } = options;
  const existing = await readServerConfig(layout.config);
  if (existing && (await exists(join(layout.pgdata, "PG_VERSION")))) return existing;
  if (await exists(layout.pgdata)) log(`wiping ${layout.pgdata}: an earlier initdb did not finish`);
  await rm(layout.config, { force: true });
  await rm(layout.pgdata, { recursive: true, force: true });
  await mkdir(layout.pgdata, { mode: 0o700 });
  const config: ServerConfig = { password: randomBytes(18).toString("base64url"), port: 0 };
  const pwfile = join(layout.root, "initdb-password");
  await writeFile(pwfile, `${config.password}\n`, { mode: 0o600 });
  if (user) await Promise.all([chown(layout.pgdata, user.uid, user.gid), chown(pwfile, user.uid, user.gid)]);
  try {
    log(`initdb ${layout.pgdata}`);
    const args = [
      "-D",
      layout.pgdata,
      "-U",
      "postgres",
      "--auth=scram-sha-256",
      `--pwfile=${pwfile}`,
      "-E",
      "UTF8",
      "--locale=C",
    ];
    const timeout = Math.max(1, options.timeoutMs);
    await run(options.initdb, args, {
      timeout,
      killSignal: "SIGKILL",
      cwd: layout.root,
      env: { LC_ALL: "C" },
      ...user,
    });
  } finally {
    await rm(pwfile, { force: true });
  }
  await writeServerConfig(layout.config, config);
  return config;
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
