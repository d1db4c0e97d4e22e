// A context that enqueues onto the test queues but serves none of them itself.
import {
  createConsoleLogger,
  createDBOSContext,
  registerWorkflow,
  type DBOSConfig,
  type DBOSContext,
} from "@durably/core";
import { listenQueues } from "../../src/index.js";

export const quietLogger = process.env.DEBUG_QUEUES
  ? createConsoleLogger("debug")
  : { debug() {}, info() {}, warn() {}, error() {} };

/** The producer side: same app, version and workflow name as the workers, no queue served. */
export function producerContext(url: string, config: Partial<DBOSConfig> = {}) {
  const ctx = createDBOSContext({
    appName: "queue-test",
    systemDatabaseUrl: url,
    applicationVersion: "q-v1",
    logger: quietLogger,
    ...config,
  });
  const task = registerWorkflow(
    ctx,
    async function queueTask(_wctx: DBOSContext, input: { id: number; holdMs: number }) {
      return input.id;
    },
  );
  listenQueues(ctx, []);
  return { ctx, task };
}
