// A test that needs a tool this machine may lack (libfaketime, Postgres binaries) is skipped where
// it is missing, saying why; under CI=true it runs and fails instead, since `.ci/run` installs them.

/**
 * Whether to skip a test whose premise `missing` describes (undefined: the premise holds here).
 * Prints the reason when it skips. Never skips under CI=true: the test then fails on
 * {@link assertPremise}, which it calls first.
 */
export function skipForMissingPremise(
  test: string,
  missing: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (missing === undefined) return false;
  if (env.CI === "true") {
    console.warn(`not skipping ${test} under CI=true, where it fails instead: ${missing}`);
    return false;
  }
  console.warn(`skipping ${test}: ${missing}`);
  return true;
}

/** Throws when the premise is missing (so a test that CI=true did not skip fails, saying why). */
export function assertPremise(missing: string | undefined): void {
  if (missing !== undefined) throw new Error(`this test's premise does not hold: ${missing}`);
}
