// Dropping a test database gives departing sessions a moment and forces only as a last resort.
import { connectAdmin } from "./connect-admin.js";

/**
 * Drops `name` if it exists. A plain DROP first (Postgres itself waits up to 5 s for sessions to
 * leave), then `DROP DATABASE ... WITH (FORCE)`; with `force`, straight to the latter.
 */
export async function dropDatabase(adminUrl: string, name: string, force = false): Promise<void> {
  const admin = connectAdmin(adminUrl);
  try {
    if (!force) {
      try {
        await admin`drop database if exists ${admin(name)}`;
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== "55006") throw err; // object_in_use: someone is still connected
      }
    }
    await admin`drop database if exists ${admin(name)} with (force)`;
  } finally {
    await admin.end({ timeout: 5 });
  }
}
