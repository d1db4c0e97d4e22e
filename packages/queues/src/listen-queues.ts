// listenQueues: choose which of the application's queues this process serves.
import { checkArgument, DurablyError } from "@durably/sysdb";
import type { DBOSContext } from "@durably/core";
import { queuesState } from "./queues-state.js";
import type { Queue } from "./register-queue.js";
import { extensionHost } from "@durably/core/extension";

/**
 * Serves only these queues in this process (by default a process serves every queue of its
 * application). Call before launch.
 *
 * @example
 * listenQueues(dbos, [videoQueue]); // this worker only transcodes
 */
export function listenQueues(ctx: DBOSContext, queues: ReadonlyArray<Queue | string>): void {
  if (extensionHost(ctx).state !== "created")
    throw new DurablyError("LIFECYCLE", "listenQueues must be called before launch.");
  checkArgument("listenQueues", "queues", queues, { type: "array", items: { type: "name-or-named" } });
  queuesState(ctx).listen = new Set(queues.map((q) => (typeof q === "string" ? q : q.name)));
}
