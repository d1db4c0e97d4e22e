// Checks the options objects of @durably/testing before anything runs. A small copy of the idea of
// @durably/sysdb's checkOptions: this package cannot depend on sysdb (sysdb's own tests use it).
import { TestDatabaseError } from "./test-database-error.js";

/** What one option must be; an option left undefined is accepted. */
export type TestingOptionKind = "string" | "object" | "function" | "milliseconds" | "port";

/**
 * Throws TestDatabaseError INVALID_ARGUMENT naming the first option that is unknown or of the wrong
 * kind ("milliseconds": a finite, non-negative whole number; "port": a whole number from 1 to 65535).
 *
 * @example
 * checkTestingOptions("useTestDatabase", options, { template: "object", graceMs: "milliseconds" });
 */
export function checkTestingOptions(
  where: string,
  options: unknown,
  kinds: Readonly<Record<string, TestingOptionKind>>,
): void {
  if (options === undefined) return;
  const accepted = Object.keys(kinds).join(", ");
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TestDatabaseError("INVALID_ARGUMENT", `${where}: the options must be an object with any of ${accepted}.`);
  }
  for (const [key, value] of Object.entries(options)) {
    const kind = kinds[key];
    if (kind === undefined) {
      const message = `${where}: unknown option ${key}; the accepted options are ${accepted}.`;
      throw new TestDatabaseError("INVALID_ARGUMENT", message);
    }
    if (value === undefined || fits(value, kind)) continue;
    const must =
      kind === "milliseconds"
        ? "a whole number of milliseconds, 0 or more"
        : kind === "port"
          ? "a whole number from 1 to 65535"
          : `a ${kind}`;
    const got = JSON.stringify(value) ?? typeof value;
    throw new TestDatabaseError("INVALID_ARGUMENT", `${where}: the option ${key} must be ${must}, got ${got}.`);
  }
}

function fits(value: unknown, kind: TestingOptionKind): boolean {
  if (kind === "milliseconds") return Number.isSafeInteger(value) && (value as number) >= 0;
  if (kind === "port") return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65_535;
  if (kind === "object") return typeof value === "object" && value !== null && !Array.isArray(value);
  return typeof value === kind;
}
