// shutdown: stop taking work, give running workflows a bounded time to finish, leave the rest
// PENDING for the next launch, and close every connection and timer.
import { checkOptions, DurablyError } from "@durably/sysdb";
import { delayUnlessAborted } from "./abortable-delay.js";
import { DBOSContext } from "./dbos-context.js";

export interface ShutdownOptions {
  /** How long to wait for running workflows before stopping them. Default 10 000 ms. */
  readonly timeoutMs?: number;
}

/**
 * Shuts a context down. Workflows still running after `timeoutMs` stop at their next step and
 * stay PENDING: the next launch with the same executor ID resumes them. Calling it again is a no-op.
 *
 * @example
 * process.on("SIGTERM", () => shutdown(dbos, { timeoutMs: 5000 }));
 */
export async function shutdown(ctx: DBOSContext, options: ShutdownOptions = {}): Promise<void> {
  if (!(ctx instanceof DBOSContext)) throw new DurablyError("INVALID_ARGUMENT", "shutdown takes the context returned by createDBOSContext.");
  checkOptions("shutdown", options, { timeoutMs: { type: "number", min: 0 } });
  const runtime = ctx.runtime;
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (runtime.state === "created") {
    runtime.state = "shut-down";
    return;
  }
  if (runtime.state !== "launched") return;
  runtime.state = "shutting-down";
  for (const stop of runtime.stoppers.splice(0).reverse()) {
    await Promise.resolve(stop()).catch((error: unknown) => runtime.logger.warn("a background loop failed to stop", { error }));
  }
  for (const extension of [...runtime.extensions].reverse()) {
    await extension.onShutdown?.(ctx).catch((error: unknown) => runtime.logger.warn("extension shutdown failed", { extension: extension.name, error }));
  }
  const running = [...runtime.active.values()].map((a) => a.outcome.catch(() => undefined));
  if (running.length > 0) {
    const timer = new AbortController();
    await Promise.race([Promise.all(running), delayUnlessAborted(timeoutMs, timer.signal)]);
    timer.abort();
  }
  for (const { run } of runtime.active.values()) run.stop("shutdown");
  runtime.beginShutdown();
  // Let stopped runs reach their next boundary and drop their pending writes before closing.
  const grace = new AbortController();
  await Promise.race([
    Promise.all([...runtime.active.values()].map((a) => a.outcome.catch(() => undefined))),
    delayUnlessAborted(200, grace.signal),
  ]);
  grace.abort();
  await runtime.notifier.drain();
  await runtime.sysdb.close();
  runtime.state = "shut-down";
  runtime.logger.info("shut down", { appName: runtime.config.appName, left: runtime.active.size });
}
