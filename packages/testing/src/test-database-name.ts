// Test databases carry their creation time in their name, so later runs can collect old ones.
import { randomBytes } from "node:crypto";

/** Every database made by `createTestDatabase` starts with this. */
export const TEST_DATABASE_PREFIX = "durably_test_";

/** `durably_test_<seconds since epoch, base 36>_<random hex>`. */
export function newTestDatabaseName(now = Date.now()): string {
  return `${TEST_DATABASE_PREFIX}${Math.floor(now / 1000).toString(36)}_${randomBytes(5).toString("hex")}`;
}

/** The creation time (epoch ms) encoded in a test database's name, or undefined if it has none. */
export function testDatabaseCreatedAt(name: string): number | undefined {
  const match = /^durably_test_([0-9a-z]+)_[0-9a-f]+$/.exec(name);
  return match?.[1] ? parseInt(match[1], 36) * 1000 : undefined;
}
