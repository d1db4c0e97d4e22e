// Stopping the embedded server that owns a data folder, whoever started it (the CLI's dev-db stop).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { dataDirLayout } from "./embedded/data-dir-layout.js";
import { inspectProcess } from "./embedded/inspect-process.js";
import { stopPostmaster } from "./embedded/stop-postmaster.js";

/**
 * Stops the embedded Postgres running on `dataDir` (the folder given to startEmbeddedPostgres).
 * Returns false when none was running there. Never touches a process that is not that folder's
 * postmaster.
 */
export async function stopEmbeddedPostgres(dataDir: string): Promise<boolean> {
  const { pgdata } = dataDirLayout(dataDir);
  const pid = Number((await readFile(join(pgdata, "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0]);
  if (!pid || (await inspectProcess(pid, pgdata)) !== "postmaster") return false;
  await stopPostmaster(pid);
  return true;
}
