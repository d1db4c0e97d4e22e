// Every file the embedded server keeps under its data folder, named in one place.
import { join, resolve } from "node:path";

/** Paths inside the folder given to `startEmbeddedPostgres({ dataDir })`. */
export interface DataDirLayout {
  readonly root: string;
  /** The cluster itself (PGDATA). */
  readonly pgdata: string;
  /** Password and port (mode 0600); written only after initdb succeeded, so it marks a complete cluster. */
  readonly config: string;
  /** Held while a process inspects, initialises or starts the server. */
  readonly lock: string;
  /** The server's stdout and stderr. */
  readonly log: string;
  /** One file per process using the server; the starter stops it only when no other user is alive. */
  readonly users: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const root = resolve(dataDir);
  return Object.freeze({
    root,
    pgdata: join(root, "pgdata"),
    config: join(root, "server.json"),
    lock: join(root, "lock"),
    log: join(root, "postgres.log"),
    users: join(root, "users"),
  });
}
