// shutdown: stop taking work, give running workflows a bounded time to finish, stop the rest at
// their next step, release the executor lease so live processes adopt them at once, and close.
import { checkOptions, DurablyError } from "@durably/sysdb";
import { delayUnlessAborted } from "./abortable-delay.js";
import { DBOSContext } from "./dbos-context.js";

export interface ShutdownOptions {
  /**
   * How long running workflows may go on (finishing, or reaching a step boundary) before they are
   * stopped at their next step. Default 10 000 ms.
   */
  readonly drainMs?: number;
  /** The former name of drainMs; give one or the other. */
  readonly timeoutMs?: number;
}

/**
 * Shuts a context down. Claims no new work; workflows still running after `drainMs` stop at their
 * next step and stay PENDING; then the executor lease is released, so the live processes of the
 * application adopt them at once (without one, the next launch with the same executor ID
 * resumes them). Calling it again is a no-op.
 *
 * @example
 * process.once("SIGTERM", () => void shutdown(dbos, { drainMs: 5000 }).then(() => process.exit(0)));
 */
export async function shutdown(ctx: DBOSContext, options: ShutdownOptions = {}): Promise<void> {
  if (!(ctx instanceof DBOSContext))
    throw new DurablyError("INVALID_ARGUMENT", "shutdown takes the context returned by createDBOSContext.");
  checkOptions("shutdown", options, { drainMs: { type: "number", min: 0 }, timeoutMs: { type: "number", min: 0 } });
  if (options.drainMs !== undefined && options.timeoutMs !== undefined) {
    throw new DurablyError("INVALID_ARGUMENT", "shutdown: give drainMs or its former name timeoutMs, not both.");
  }
  const runtime = ctx.runtime;
  const timeoutMs = options.drainMs ?? options.timeoutMs ?? 10_000;
  if (runtime.state === "created") {
    runtime.state = "shut-down";
    return;
  }
  if (runtime.state !== "launched") return;
  runtime.state = "shutting-down";
  for (const stop of runtime.stoppers.splice(0).reverse()) {
    await Promise.resolve(stop()).catch((error: unknown) =>
      runtime.logger.warn("a background loop failed to stop", { error }),
    );
  }
  for (const extension of [...runtime.extensions].reverse()) {
    await extension
      .onShutdown?.(ctx)
      .catch((error: unknown) =>
        runtime.logger.warn("extension shutdown failed", { extension: extension.name, error }),
      );
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
  // After the runs stopped: a lease released earlier would let others adopt workflows still running here.
  await runtime.lease?.release();
  await runtime.sysdb.close();
  runtime.state = "shut-down";
  runtime.logger.info("shut down", { appName: runtime.config.appName, left: runtime.active.size });
}
