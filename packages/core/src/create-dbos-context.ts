// createDBOSContext: validate the config and make the root context. No I/O until launch.
import { resolveConfig, type DBOSConfig } from "./config.js";
import { DBOSContext } from "./dbos-context.js";
import { Runtime } from "./runtime.js";

/**
 * Creates a context: register workflows on it, then `launch` it.
 *
 * @example
 * const dbos = createDBOSContext({ appName: "shop", systemDatabaseUrl: "postgres://localhost/shop_sys" });
 */
export function createDBOSContext(config: DBOSConfig): DBOSContext {
  return new DBOSContext(new Runtime(resolveConfig(config)));
}
