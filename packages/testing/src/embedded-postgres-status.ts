// Whether the embedded server of a data folder is running, without starting it (dev-db status, the demo).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { dataDirLayout } from "./embedded/data-dir-layout.js";
import { inspectProcess } from "./embedded/inspect-process.js";
import { readServerConfig } from "./embedded/server-config.js";

/** What {@link embeddedPostgresStatus} found in a data folder. */
export type EmbeddedPostgresStatus =
  | { readonly running: false; readonly dataDir: string }
  | {
      readonly running: true;
      readonly dataDir: string;
      readonly pid: number;
      readonly port: number;
      /** Superuser URL of the server's `postgres` database. */
      readonly url: string;
    };

/**
 * Reads the folder given to startEmbeddedPostgres: running (its postmaster's PID, port and superuser
 * URL of the `postgres` database) or not. Starts nothing and changes no file.
 *
 * @example
 * ```ts
 * const status = await embeddedPostgresStatus(".durably/postgres");
 * if (status.running) console.log(status.url);
 * ```
 */
export async function embeddedPostgresStatus(dataDir: string): Promise<EmbeddedPostgresStatus> {
  const layout = dataDirLayout(dataDir);
  const lines = (await readFile(join(layout.pgdata, "postmaster.pid"), "utf8").catch(() => "")).split("\n");
  const [pid, port] = [Number(lines[0]), Number(lines[3])];
  const config = await readServerConfig(layout.config);
  if (!pid || !port || !config || (await inspectProcess(pid, layout.pgdata)) !== "postmaster") {
    return { running: false, dataDir: layout.root };
  }
  const url = `postgres://postgres:${encodeURIComponent(config.password)}@127.0.0.1:${port}/postgres`;
  return { running: true, dataDir: layout.root, pid, port, url };
}
