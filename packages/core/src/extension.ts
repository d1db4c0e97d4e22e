// The extension interface through which add-on packages (queues, notifications, scheduler) plug
// into core: lifecycle hooks, plus runDurableOperation for their own checkpointed operations.
import { checkOptions, DurablyError } from "@durably/sysdb";
import type { DBOSContext } from "./dbos-context.js";

/** An add-on's hooks. Register with {@link registerExtension} before launch. */
export interface DurablyExtension {
  /** Shown in logs and errors. */
  readonly name: string;
  /** After the system database is migrated and the listener runs, before recovery. */
  onLaunch?(ctx: DBOSContext): Promise<void>;
  /** After this executor's workflows were recovered. */
  onRecovered?(ctx: DBOSContext): Promise<void>;
  /** At shutdown, before workflows are waited for; stop background loops here. */
  onShutdown?(ctx: DBOSContext): Promise<void>;
}

/**
 * Adds an extension to a context. Extensions run in registration order at launch and in reverse
 * order at shutdown. One added after launch gets no onLaunch/onRecovered call (it starts itself)
 * but is still shut down with the context.
 *
 * @example
 * registerExtension(ctx, { name: "metrics", async onLaunch() { startExporter(); } });
 */
export function registerExtension(ctx: DBOSContext, extension: DurablyExtension): void {
  checkOptions("registerExtension", extension, {
    name: { type: "string", required: true, nonEmpty: true },
    onLaunch: { type: "function" },
    onRecovered: { type: "function" },
    onShutdown: { type: "function" },
  });
  const runtime = ctx.runtime;
  if (runtime.state !== "created" && runtime.state !== "launched") {
    throw new DurablyError(
      "REGISTRATION",
      `Cannot register extension ${extension.name}: the context is ${runtime.state}.`,
    );
  }
  if (runtime.extensions.some((e) => e.name === extension.name)) {
    throw new DurablyError(
      "REGISTRATION",
      `An extension named ${extension.name} is already registered on this context.`,
    );
  }
  runtime.extensions.push(extension);
}
