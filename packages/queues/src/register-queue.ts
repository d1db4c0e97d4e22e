// registerQueue: define a queue (or change its settings) for this application.
import { DurablyError } from "@durably/sysdb";
import type { DBOSContext } from "@durably/core";
import { queuesState } from "./queues-state.js";
import { toQueueSettings, validateQueueName, type QueueOptions } from "./queue-options.js";
import { extensionHost } from "@durably/core/extension";

/** A registered queue: pass it as `runWorkflow(ctx, wf, input, { queue })`. */
export interface Queue {
  readonly name: string;
}

/**
 * Defines a queue, stored in `dbos.queues` under this application, and serves it from this
 * process (unless `listenQueues` chose others). Called again, even after launch, it updates the
 * settings. Before launch it only validates; the row is written at launch.
 *
 * @example
 * const emails = await registerQueue(dbos, "emails", {
 *   workerConcurrency: 10,
 *   rateLimit: { limit: 50, periodSec: 1 },
 * });
 * await runWorkflow(dbos, sendEmail, { to }, { queue: emails });
 */
export async function registerQueue(ctx: DBOSContext, name: string, options: QueueOptions = {}): Promise<Queue> {
  validateQueueName(name);
  const settings = toQueueSettings(name, options);
  const state = queuesState(ctx);
  const host = extensionHost(ctx);
  if (host.state === "launched") await state.save(settings);
  else if (host.state !== "created")
    throw new DurablyError("LIFECYCLE", `Cannot register queue ${name}: the context is ${host.state}.`);
  state.local.set(name, settings);
  return Object.freeze({ name });
}
