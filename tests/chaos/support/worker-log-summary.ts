// Counts what the workers logged: retried database errors by code, other warnings by message,
// and the fatal lines, from the JSON-lines logs the workers wrote.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface WorkerLogSummary {
  /** "database call failed; retrying", by error code, then by what was retried. */
  readonly retriedByCode: Record<string, number>;
  readonly retriedByWhat: Record<string, number>;
  /** Every other warning or error, by message (and code). */
  readonly warnings: Record<string, number>;
  readonly launchFailures: number;
  readonly fatal: unknown[];
}

export function summarizeWorkerLogs(logsDir: string): WorkerLogSummary {
  const retriedByCode: Record<string, number> = {};
  const retriedByWhat: Record<string, number> = {};
  const warnings: Record<string, number> = {};
  const fatal: unknown[] = [];
  let launchFailures = 0;
  const bump = (into: Record<string, number>, key: string) => (into[key] = (into[key] ?? 0) + 1);
  for (const file of readdirSync(logsDir)) {
    for (const line of readFileSync(join(logsDir, file), "utf8").split("\n")) {
      if (!line.startsWith("{")) {
        if (line.trim() !== "") bump(warnings, `(not JSON) ${line.slice(0, 100)}`);
        continue;
      }
      let entry: { level?: string; msg?: string; what?: string; error?: { code?: string; message?: string } };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      const code = entry.error?.code ?? "no code";
      if (entry.level === "fatal") fatal.push({ file, ...entry });
      else if (entry.msg === "database call failed; retrying") {
        bump(retriedByCode, code);
        bump(retriedByWhat, entry.what ?? "?");
      } else if (entry.msg === "launch failed") launchFailures++;
      else if (entry.level === "warn" || entry.level === "error") bump(warnings, `${entry.level}: ${entry.msg} [${code}]`);
    }
  }
  return { retriedByCode, retriedByWhat, warnings, launchFailures, fatal: fatal.slice(0, 10) };
}
