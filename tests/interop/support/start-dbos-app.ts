// Starts the DBOS 5.3.0 application (dbos-app.mjs) as a child process, talks to it over stdin
// and stdout, and always ends it: SIGTERM, then SIGKILL when it has not exited within 5 s.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface DBOSApp {
  /** Starts `workflow` (see dbos-app.mjs; `_portable` for DBOS's portable format) under `id` in the DBOS app. */
  start(workflow: string, id: string, args?: unknown[], params?: Record<string, unknown>): Promise<void>;
  /** How often the DBOS app ran gated's first step for `id`. */
  firstStepRuns(id: string): Promise<number>;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** SIGKILL at once: the app's workflows stay PENDING, as after a crash. */
  kill(): Promise<void>;
}

export interface DBOSAppOptions {
  readonly url: string;
  readonly appName: string;
  readonly applicationVersion: string;
  readonly executorID: string;
  /** "portable": DBOSPortableJSON as the app-wide serializer. Default DBOS's own (js_superjson). */
  readonly serializer?: "native" | "portable";
}

const answerTimeoutMs = 30_000;
const killAfterMs = 5_000;

export async function startDBOSApp(options: DBOSAppOptions): Promise<DBOSApp> {
  const script = fileURLToPath(new URL("./dbos-app.mjs", import.meta.url));
  // --no-deprecation: DBOS's pg usage prints a DeprecationWarning that says nothing about the test.
  const { url, appName, applicationVersion, executorID, serializer = "native" } = options;
  const args = ["--no-deprecation", script, url, appName, applicationVersion, executorID, serializer];
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"] });
  child.stderr.on("data", (d) => process.stderr.write(`[dbos-app] ${d}`));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const waiting: Array<{ resolve: (reply: Record<string, unknown>) => void; reject: (error: Error) => void }> = [];
  const failAll = (error: Error) => {
    for (const w of waiting.splice(0)) w.reject(error);
  };
  void exited.then(() => failAll(new Error(`the DBOS app exited (${child.exitCode ?? child.signalCode})`)));
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => waiting.shift()?.resolve(JSON.parse(line) as Record<string, unknown>));

  /** The next line the app prints, or a failure after answerTimeoutMs. */
  function nextReply(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const noAnswer = () => reject(new Error(`the DBOS app gave no answer in ${answerTimeoutMs} ms`));
      const timer = setTimeout(noAnswer, answerTimeoutMs);
      const done =
        <T>(fn: (v: T) => void) =>
        (v: T) => (clearTimeout(timer), fn(v));
      waiting.push({ resolve: done(resolve), reject: done(reject) });
    });
  }
  async function ask(command: Record<string, unknown>): Promise<unknown> {
    const reply = nextReply();
    child.stdin.write(`${JSON.stringify(command)}\n`);
    const answer = await reply;
    if (answer.error !== undefined) throw new Error(`the DBOS app failed: ${String(answer.error)}`);
    return answer.ok;
  }
  async function stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    await exited;
    clearTimeout(timer);
    child.stdin.destroy();
  }

  try {
    const ready = await nextReply();
    if (ready.ready !== true) throw new Error(`the DBOS app did not start: ${JSON.stringify(ready)}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    start: async (workflow, id, args, params) => void (await ask({ op: "start", workflow, id, args, params })),
    firstStepRuns: async (id) => (await ask({ op: "runs", id })) as number,
    stop: () => stop(),
    kill: () => stop("SIGKILL"),
  };
}
