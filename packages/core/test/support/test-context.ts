// Contexts for tests: a quiet logger that remembers what was logged, and a unique app name.
import { createDBOSContext, type DBOSConfig, type DBOSContext, type Logger } from "../../src/index.js";

export interface RecordingLogger extends Logger {
  readonly lines: Array<{ level: string; message: string; fields?: unknown }>;
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger["lines"] = [];
  const at = (level: string) => (message: string, fields?: unknown) => void lines.push({ level, message, fields });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A context on the test database, not launched yet: register workflows, then launch. */
export function testContext(url: string, config: Partial<DBOSConfig> = {}): DBOSContext {
  return createDBOSContext({
    appName: "test-app",
    systemDatabaseUrl: url,
    applicationVersion: "v1",
    logger: recordingLogger(),
    pollIntervalMs: 100,
    poolSize: 4,
    ...config,
  });
}
