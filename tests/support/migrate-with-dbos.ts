// The reference schema comes from DBOS 5.3.0 itself: its own CLI (`dbos schema`) runs its own migrations.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The `dbos` CLI of the pinned @dbos-inc/dbos-sdk (its package.json `bin`). */
const dbosCli = createRequire(import.meta.url).resolve("@dbos-inc/dbos-sdk/internal/cli/cli");

/** Runs DBOS 5.3.0's system-database migrations on `url`, into `schema`. */
export async function migrateWithDbos(url: string, schema = "dbos"): Promise<void> {
  // An explicit -s keeps the CLI from reading a dbos-config.yaml; the temp cwd keeps it from finding one anyway.
  await run(process.execPath, [dbosCli, "schema", "-s", schema, url], { cwd: tmpdir(), timeout: 60_000 });
}
