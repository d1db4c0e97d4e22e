// Holds a lock from a second session, so that a test can watch another session run into it.
import { connectAdmin } from "./connect-admin.js";

/**
 * Runs `statement` (one that takes a lock, e.g. `select … for update`) in a transaction on a
 * connection of its own and keeps the transaction open. Resolves once the lock is held, with the
 * function that ends the transaction and closes the connection.
 *
 * @example
 * const release = await holdLock(db.url, "select * from stock where sku = 'mug' for update");
 * try { … } finally { await release(); }
 */
export async function holdLock(url: string, statement: string): Promise<() => Promise<void>> {
  const sql = connectAdmin(url);
  let release = () => undefined as void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked = () => undefined as void;
  const held = new Promise<void>((resolve) => (locked = resolve));
  const transaction = sql.begin(async (trx) => {
    await trx.unsafe(statement);
    locked();
    await released;
  });
  try {
    await Promise.race([held, transaction]);
  } catch (error) {
    await sql.end();
    throw error;
  }
  return async () => {
    release();
    await transaction.finally(() => sql.end());
  };
}
