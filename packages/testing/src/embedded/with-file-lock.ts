// Several test processes may start the same embedded server at once; one lock file serialises them.
import { open, readFile, stat, unlink } from "node:fs/promises";
import { TestDatabaseError } from "../test-database-error.js";
import { sleep } from "../sleep.js";
import { isAlive } from "./inspect-process.js";

/**
 * Runs `fn` while holding the lock file `path` (created exclusively, holding our PID). A lock
 * whose holder died is taken over; waiting past `deadline` (epoch ms) throws.
 */
export async function withFileLock<T>(path: string, deadline: number, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (await isStale(path)) {
      await unlink(path).catch(() => {});
      continue;
    }
    if (Date.now() > deadline) {
      const holder = await readFile(path, "utf8").catch(() => "?");
      throw new TestDatabaseError("EMBEDDED_START", `Timed out waiting for the lock ${path}, held by PID ${holder}.`);
    }
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => {});
  }
}

async function isStale(path: string): Promise<boolean> {
  const holder = Number(await readFile(path, "utf8").catch(() => ""));
  if (Number.isInteger(holder) && holder > 0) return !isAlive(holder);
  // Empty: the holder is between creating and writing it, or died there.
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > 10_000;
}
