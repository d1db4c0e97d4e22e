// devDataDir finds the same folder from anywhere in a project, so dev-db and the demo share a server.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { devDatabaseUrl, devDataDir } from "../src/index.js";

const root = mkdtempSync(join(tmpdir(), "durably-devdir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(path: string, files: Record<string, string> = {}): string {
  const dir = join(root, path);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test("a pnpm workspace: the root's .durably/postgres, from the root, a package, or a folder inside one", () => {
  const ws = folder("pnpm-ws", { "package.json": "{}", "pnpm-workspace.yaml": "packages: [pkg]\n" });
  const pkg = folder("pnpm-ws/pkg", { "package.json": `{ "name": "pkg" }` });
  const deep = folder("pnpm-ws/pkg/src/deep");
  for (const cwd of [ws, pkg, deep]) expect(devDataDir(cwd)).toBe(join(ws, ".durably", "postgres"));
});

test("an npm/yarn workspace (package.json with workspaces) counts as a workspace root too", () => {
  const ws = folder("npm-ws", { "package.json": `{ "workspaces": ["a"] }` });
  const a = folder("npm-ws/a", { "package.json": `{ "name": "a" }` });
  expect(devDataDir(a)).toBe(join(ws, ".durably", "postgres"));
});

test("outside a workspace: next to the nearest package.json, else the folder itself", (ctx) => {
  for (let dir = root; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dirname(dir), "package.json")))
      ctx.skip(`${dirname(dir)} holds a package.json: no folder in ${root} is outside a project`);
  }
  const app = folder("plain-app", { "package.json": `{ "name": "app" }` });
  expect(devDataDir(folder("plain-app/src"))).toBe(join(app, ".durably", "postgres"));
  const bare = folder("bare/dir");
  expect(devDataDir(bare)).toBe(join(bare, ".durably", "postgres"));
});

test("devDatabaseUrl points a server URL at durably_dev", () => {
  expect(devDatabaseUrl("postgres://postgres:pw@127.0.0.1:5432/postgres")).toBe(
    "postgres://postgres:pw@127.0.0.1:5432/durably_dev",
  );
});
