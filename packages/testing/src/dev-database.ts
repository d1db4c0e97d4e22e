// The development Postgres that `durably dev-db` and the repo's demo share: one folder per project,
// found the same way from any directory inside it, and one database name.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { withDatabase } from "./with-database.js";

/** The system database on the development server. */
export const devDatabaseName = "durably_dev";

/**
 * The embedded server's folder, `<project>/.durably/postgres`. The project is the nearest folder
 * at or above `cwd` that is a workspace root (pnpm-workspace.yaml, or a package.json with
 * `workspaces`), else the nearest with a package.json, else `cwd` itself; so a command run in a
 * workspace package and one run at the root use the same server.
 *
 * @example
 * ```ts
 * devDataDir("/repo/examples"); // "/repo/.durably/postgres" when /repo has pnpm-workspace.yaml
 * ```
 */
export function devDataDir(cwd: string = process.cwd()): string {
  const ancestors: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    ancestors.push(dir);
    if (dirname(dir) === dir) break;
  }
  const hasPackageJson = (dir: string) => existsSync(join(dir, "package.json"));
  const project = ancestors.find(isWorkspaceRoot) ?? ancestors.find(hasPackageJson) ?? resolve(cwd);
  return join(project, ".durably", "postgres");
}

/** The URL of {@link devDatabaseName} on the server whose URL is `serverUrl`. */
export function devDatabaseUrl(serverUrl: string): string {
  return withDatabase(serverUrl, devDatabaseName);
}

function isWorkspaceRoot(dir: string): boolean {
  if (existsSync(join(dir, "pnpm-workspace.yaml"))) return true;
  try {
    return "workspaces" in (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as object);
  } catch {
    return false;
  }
}
