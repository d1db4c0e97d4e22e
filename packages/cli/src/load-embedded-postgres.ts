// `dev-db` runs the embedded Postgres of @durably/testing, an optional peer: loaded only when
// dev-db runs, so the CLI's own install stays free of Postgres binaries and Testcontainers.
import { CliFailure } from "./cli-failure.js";

type Testing = typeof import("@durably/testing");
export type EmbeddedPostgresApi = Pick<
  Testing,
  "startEmbeddedPostgres" | "stopEmbeddedPostgres" | "embeddedPostgresStatus" | "devDataDir" | "devDatabaseUrl"
>;

export const embeddedPostgresMissing =
  "durably dev-db needs the optional package @durably/testing (it runs an embedded Postgres), " +
  "which is not installed. Install it next to @durably/cli: " +
  "npm install --save-dev @durably/testing (or pnpm add -D / yarn add -D).";

export async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresApi> {
  try {
    const testing = await import("@durably/testing");
    const { startEmbeddedPostgres, stopEmbeddedPostgres, embeddedPostgresStatus, devDataDir, devDatabaseUrl } = testing;
    return { startEmbeddedPostgres, stopEmbeddedPostgres, embeddedPostgresStatus, devDataDir, devDatabaseUrl };
  } catch (error) {
    if (isMissing(error, "@durably/testing")) throw new CliFailure(embeddedPostgresMissing);
    throw error;
  }
}

function isMissing(error: unknown, specifier: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === "ERR_MODULE_NOT_FOUND" && typeof message === "string" && message.includes(`'${specifier}'`);
}
