// A server left running by an earlier (possibly killed) process holds postmaster.pid: reuse it if it
// is ours and answers, and clear the file if its PID is dead or belongs to another program.
import { readFile, realpath, unlink } from "node:fs/promises";
import { join } from "node:path";
import { TestDatabaseError } from "../test-database-error.js";
import { sleep } from "../sleep.js";
import { inspectProcess } from "./inspect-process.js";
import { probeServer } from "./probe-server.js";

export interface RunningServer {
  readonly pid: number;
  readonly port: number;
}

/**
 * Returns the server running on `pgdata`, or undefined when none is (removing a stale pid file).
 * A live postgres that holds the data directory but never answers before `deadline` is an error:
 * starting a second server on the same files would corrupt them.
 */
export async function findRunningServer(
  pgdata: string,
  urlFor: (port: number) => string,
  deadline: number,
  log: (message: string) => void,
): Promise<RunningServer | undefined> {
  const pidFile = join(pgdata, "postmaster.pid");
  let lastError: unknown;
  for (;;) {
    const lines = (await readFile(pidFile, "utf8").catch(() => "")).split("\n");
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!pid) return undefined;
    const kind = await inspectProcess(pid, pgdata);
    if (kind !== "postmaster") {
      log(`removing stale ${pidFile}: PID ${pid} is ${kind === "dead" ? "gone" : "another program"}`);
      await unlink(pidFile).catch(() => {});
      return undefined;
    }
    try {
      const dataDirectory = await probeServer(urlFor(port));
      if ((await canonical(dataDirectory)) === (await canonical(pgdata))) return { pid, port };
      // Another cluster answers on that port (no /proc to tell them apart earlier).
      log(`removing stale ${pidFile}: port ${port} serves ${dataDirectory}`);
      await unlink(pidFile).catch(() => {});
      return undefined;
    } catch (err) {
      lastError = err;
    }
    // Waiting helps a server that is starting up, not one that rejects our password.
    const authFailed = ["28P01", "28000"].includes((lastError as { code?: string } | undefined)?.code ?? "");
    if (authFailed || Date.now() > deadline) {
      throw new TestDatabaseError(
        "EMBEDDED_START",
        `Postgres PID ${pid} holds ${pgdata} but does not answer on 127.0.0.1:${port}. ` +
          `Stop it (kill -INT ${pid}) or use another data directory. Last error: ${String(lastError)}`,
        { cause: lastError },
      );
    }
    await sleep(200);
  }
}

function canonical(path: string): Promise<string> {
  return realpath(path).catch(() => path);
}
