// Structured, quiet-by-default logging: one line of JSON per event, warnings and errors only.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Readonly<Record<string, unknown>>;

/** What durably logs through. Bring your own (pino, winston) by adapting these four methods. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger writing JSON lines to stderr at or above `level` (default from DURABLY_LOG_LEVEL, else "warn"). */
export function createConsoleLogger(level: LogLevel = envLevel() ?? "warn"): Logger {
  const write = (at: LogLevel) => (message: string, fields?: LogFields) => {
    if (order[at] < order[level]) return;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level: at, msg: message };
    for (const [key, value] of Object.entries(fields ?? {})) {
      line[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
    }
    process.stderr.write(`${JSON.stringify(line)}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

function envLevel(): LogLevel | undefined {
  const value = process.env.DURABLY_LOG_LEVEL;
  return value === "debug" || value === "info" || value === "warn" || value === "error" ? value : undefined;
}
