// Connection URLs are printed for people (test runs, the demo, dev-db status); their passwords are not.

/**
 * Returns `url` with its password, if any, replaced by `***`.
 *
 * @example
 * ```ts
 * maskPassword("postgres://postgres:s3cret@127.0.0.1:5432/app"); // "postgres://postgres:***@127.0.0.1:5432/app"
 * ```
 */
export function maskPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === "") return url;
  parsed.password = "***";
  return parsed.toString();
}
