// Startup is detected by connecting, not by parsing log text, and is bounded by the caller's deadline.
import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { TestDatabaseError } from "../test-database-error.js";
import { sleep } from "../sleep.js";
import { probeServer } from "./probe-server.js";
import { stopPostmaster } from "./stop-postmaster.js";

/** Resolves once `url` answers; throws (after stopping `child`) if it exits or `deadline` passes. */
export async function waitUntilReady(
  child: ChildProcess,
  url: string,
  logPath: string,
  deadline: number,
): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const status = child.exitCode ?? child.signalCode;
      throw new TestDatabaseError(
        "EMBEDDED_START",
        `Postgres exited during startup (${status}). ${await logTail(logPath)}`,
      );
    }
    try {
      await probeServer(url);
      return;
    } catch (err) {
      lastError = err;
    }
    await sleep(100);
  }
  if (child.pid) await stopPostmaster(child.pid, 5_000).catch(() => {});
  throw new TestDatabaseError(
    "EMBEDDED_START",
    `Postgres did not accept connections in time. ${await logTail(logPath)}`,
    {
      cause: lastError,
    },
  );
}

async function logTail(logPath: string): Promise<string> {
  const text = await readFile(logPath, "utf8").catch(() => "");
  return `Last lines of ${logPath}:\n${text.trimEnd().split("\n").slice(-8).join("\n")}`;
}
