// Schema names reach SQL text (DDL, function bodies), so they are checked and quoted in one place.
import { DurablyError } from "./durably-error.js";

/** The schema DBOS and durably use unless told otherwise. */
export const defaultSchemaName = "dbos";

/**
 * Checks a schema name before any SQL runs: 1 to 63 bytes, no NUL, not starting with `pg_`.
 * Any other character is allowed because every use quotes it ({@link quoteIdentifier}).
 */
export function validateSchemaName(name: unknown): string {
  const problem =
    typeof name !== "string"
      ? "it is not a string"
      : name.length === 0
        ? "it is empty"
        : Buffer.byteLength(name, "utf8") > 63
          ? "it is longer than Postgres's 63-byte identifier limit"
          : name.includes("\0")
            ? "it contains a NUL character"
            : /^pg_/i.test(name)
              ? "names starting with pg_ are reserved by Postgres"
              : undefined;
  if (problem !== undefined) {
    throw new DurablyError(
      "INVALID_NAME",
      `Invalid system schema name ${JSON.stringify(name)}: ${problem}. Use a name of 1-63 bytes, such as "dbos".`,
    );
  }
  return name as string;
}

/** Quotes an identifier for SQL text: wraps it in double quotes and doubles any inside. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
