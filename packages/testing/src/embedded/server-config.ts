// The embedded server's password and port persist next to its cluster, so a later process can connect.
import { readFile, writeFile } from "node:fs/promises";

export interface ServerConfig {
  readonly password: string;
  /** The port last used; 0 until the first start. */
  readonly port: number;
}

/** Reads `server.json`, or undefined when it is missing or unreadable. */
export async function readServerConfig(path: string): Promise<ServerConfig | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<ServerConfig>;
    if (typeof parsed.password !== "string" || typeof parsed.port !== "number") return undefined;
    return { password: parsed.password, port: parsed.port };
  } catch {
    return undefined;
  }
}

export async function writeServerConfig(path: string, config: ServerConfig): Promise<void> {
  await writeFile(path, `${JSON.stringify(config)}\n`, { mode: 0o600 });
}
