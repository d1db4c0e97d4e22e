// Creates the system database on first launch, as DBOS does, so a URL naming a new database works.
import postgres from "#postgres";
import { DurablyError } from "./durably-error.js";
import { quoteIdentifier } from "./schema-name.js";
import { classifyError } from "./sqlstate.js";
import { describeUrl, unavailable, untilReachable } from "./system-database.js";

/**
 * Makes sure the database named in `url` exists, creating it through the server's `postgres`
 * database when it does not. Returns true when it created it.
 */
export async function ensureDatabaseExists(url: string, connectTimeoutMs = 10_000): Promise<boolean> {
  const location = describeUrl(url);
  const connect_timeout = Math.max(1, Math.ceil(connectTimeoutMs / 1000));
  const probe = postgres(url, { max: 1, connect_timeout, fetch_types: false, onnotice: () => undefined });
  try {
    await untilReachable(() => probe`select 1`, connectTimeoutMs);
    return false;
  } catch (error) {
    if (classifyError(error) !== "missing_database") throw unavailable(location, connectTimeoutMs, error);
  } finally {
    await probe.end({ timeout: 1 });
  }

  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const adminUrl = new URL(url);
  adminUrl.pathname = "/postgres";
  const admin = postgres(adminUrl.toString(), { max: 1, connect_timeout, fetch_types: false, onnotice: () => undefined });
  try {
    await admin.unsafe(`CREATE DATABASE ${quoteIdentifier(name)}`);
    return true;
  } catch (error) {
    // Another process created it first: that is what we wanted.
    if ((error as { code?: string }).code === "42P04") return false;
    if (classifyError(error) === "connection") throw unavailable(location, connectTimeoutMs, error);
    throw new DurablyError(
      "DATABASE_UNAVAILABLE",
      `The database at ${location} does not exist and could not be created: ${(error as Error).message}. ` +
        "Create it yourself, or give the user the CREATEDB privilege.",
      { cause: error },
    );
  } finally {
    await admin.end({ timeout: 1 });
  }
}
