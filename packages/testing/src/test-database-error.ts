// The one error type of @durably/testing, so a failed provisioning or leak check reads the same everywhere.

/** What went wrong, as a closed set. */
export type TestDatabaseErrorCode =
  | "NO_SERVER" // no Postgres server could be found or started
  | "EMBEDDED_START" // the embedded server failed to start or stop in time
  | "TEMPLATE" // building a template database failed
  | "INVALID_KEY" // a template key is malformed
  | "LEAK" // a test left sessions or handles behind
  | "WRONG_MAJOR" // the server is not the Postgres major DURABLY_TEST_POSTGRES_MAJOR names
  | "INVALID_ARGUMENT"; // an option is unknown or of the wrong kind

const brand = Symbol.for("@durably/testing/TestDatabaseError");

/** The hint every provisioning error ends with. */
export const PROVIDE_DATABASE_HINT =
  "To use an existing server instead, set DURABLY_TEST_DATABASE_URL=postgres://user:password@host:5432/postgres.";

/**
 * Thrown by every function of `@durably/testing`. The message says what failed and what to do.
 *
 * @example
 * ```ts
 * try { await provisionTestServer(); }
 * catch (err) { if (isTestDatabaseError(err) && err.code === "NO_SERVER") console.error(err.message); }
 * ```
 */
export class TestDatabaseError extends Error {
  override readonly name = "TestDatabaseError";
  readonly code: TestDatabaseErrorCode;

  constructor(code: TestDatabaseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }
}

/** True for a {@link TestDatabaseError}, even one thrown by a duplicate copy of this package. */
export function isTestDatabaseError(value: unknown): value is TestDatabaseError {
  return typeof value === "object" && value !== null && brand in value;
}
