// Test databases live on one server; this swaps the database part of a connection URL.

/**
 * Returns `url` with its database replaced by `database`, keeping user, password, host, port and
 * query parameters.
 *
 * @example
 * ```ts
 * withDatabase("postgres://me@db:5432/app?sslmode=disable", "postgres");
 * // "postgres://me@db:5432/postgres?sslmode=disable"
 * ```
 */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
