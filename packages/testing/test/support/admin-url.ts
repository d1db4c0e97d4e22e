// The server these tests run against is the one the global setup provisioned: never a default
// that an empty URL would silently connect to instead.

/** DURABLY_TEST_ADMIN_URL, which the global setup sets; throws if it is missing. */
export function adminUrlFromSetup(): string {
  const url = process.env.DURABLY_TEST_ADMIN_URL;
  if (!url)
    throw new Error(
      "DURABLY_TEST_ADMIN_URL is not set: run these tests through vitest, whose global setup provisions the server",
    );
  return url;
}
