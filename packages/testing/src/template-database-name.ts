// A template's name is derived from the caller's key: readable, bounded in length, and unique per key.
import { createHash } from "node:crypto";
import { TestDatabaseError } from "./test-database-error.js";

const KEY = /^[A-Za-z0-9_.:@/+-]{1,100}$/;

/**
 * The database name of the template for `key`: `durably_tpl_<key, sanitised>_<hash of key>`.
 * Throws `INVALID_KEY` unless `key` is 1 to 100 characters of `A-Z a-z 0-9 _ . : @ / + -`.
 *
 * @example
 * ```ts
 * templateDatabaseName("durably-schema-3f9a"); // "durably_tpl_durably_schema_3f9a_<12 hex>"
 * ```
 */
export function templateDatabaseName(key: string): string {
  if (!KEY.test(key)) {
    throw new TestDatabaseError(
      "INVALID_KEY",
      `Invalid template key ${JSON.stringify(key)}: use 1 to 100 characters of A-Z a-z 0-9 _ . : @ / + -, ` +
        `and change it whenever the template's contents change (e.g. append a hash of the migrations).`,
    );
  }
  const readable = key
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 24);
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 12);
  return `durably_tpl_${readable}_${hash}`;
}
