// The built UI (Vite's output in dist/ui, shipped in the package), read once and served from memory.
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

let loading: Promise<Map<string, Asset>> | undefined;

async function walk(dir: string, root: string, into: Map<string, Asset>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, root, into);
    else {
      const type = types[extname(entry.name)] ?? "application/octet-stream";
      into.set(relative(root, path).split("\\").join("/"), { body: await readFile(path), type });
    }
  }
}

/** The UI's files by path relative to its root (`index.html`, `assets/…`). */
export function uiAssets(): Promise<Map<string, Asset>> {
  loading ??= (async () => {
    // Built: dist/ui beside this file. Run from source (the package's own tests): the last build's.
    let root = fileURLToPath(new URL("./ui/", import.meta.url));
    if (!existsSync(root)) root = fileURLToPath(new URL("../dist/ui/", import.meta.url));
    const assets = new Map<string, Asset>();
    await walk(root, root, assets);
    return assets;
  })();
  return loading;
}
