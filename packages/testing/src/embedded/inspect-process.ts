// A postmaster.pid may name a dead process, or a PID the OS has since given to another program,
// even another postgres (on a machine running its own cluster, new backends take PIDs all day).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Whether `pid` is gone, the postmaster of `pgdata`, or another program. Without /proc (macOS)
 * any postgres counts as the postmaster, and the caller's check of the data directory decides.
 */
export async function inspectProcess(pid: number, pgdata: string): Promise<"dead" | "postmaster" | "other"> {
  if (!isAlive(pid)) return "dead";
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  if (cmdline !== undefined) return cmdline.split(/[\0 ]/).includes(pgdata) ? "postmaster" : "other";
  const { stdout } = await run("ps", ["-p", String(pid), "-o", "comm="], { timeout: 5_000 }).catch(() => ({
    stdout: "",
  }));
  return stdout.trim().endsWith("postgres") ? "postmaster" : "other";
}

/** True while `pid` exists (including processes of other users). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
