// Runs the repo's demo (examples/order-processing.ts) as a user does, in its own process, so a test
// can read its lines, wait for one, and SIGKILL it mid-order.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const examples = join(repoRoot, "examples");

export interface DemoRun {
  /** Everything it printed so far, stdout and stderr, in order. */
  output(): string;
  /** Resolves once a line containing `text` was printed; rejects when it exits first or after `timeoutMs`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Its exit code (null when killed by a signal) and output, once it exited. */
  readonly exited: Promise<{ code: number | null; output: string }>;
  kill(): void;
}

/** Starts the demo for `order`; `cwd` (default examples/) decides which dev server it finds. */
export function runDemo(order: string, options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): DemoRun {
  // One process (node --import tsx), so SIGKILL hits the demo itself, not a wrapper.
  const tsx = pathToFileURL(join(examples, "node_modules", "tsx", "dist", "loader.mjs")).href;
  const args = ["--import", tsx, join(examples, "order-processing.ts"), order];
  const spawnOptions = { cwd: options.cwd ?? examples, env: options.env ?? process.env };
  const child = spawn(process.execPath, args, { ...spawnOptions, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.once("close", (code) => resolve({ code, output: text }));
  });
  const waitFor = (wanted: string, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!text.includes(wanted)) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`the demo did not print "${wanted}" within ${timeoutMs} ms; it printed:\n${text}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      void exited.then(() => {
        if (!listeners.has(check)) return;
        finish();
        reject(new Error(`the demo exited before printing "${wanted}"; it printed:\n${text}`));
      });
      listeners.add(check);
      check();
    });
  return { output: () => text, waitFor, exited, kill: () => child.kill("SIGKILL") };
}

/** The lines of `output` printed for `order` (the demo prefixes them "[hh:mm:ss order] "). */
export function linesOf(output: string, order: string): string[] {
  return output.split("\n").filter((line) => new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d ${order}\\] `).test(line));
}
