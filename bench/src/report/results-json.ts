// Writes a run's report as JSON: results/<timestamp>.json and results/latest.json.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BenchReport } from "./bench-report.js";

/** Writes both files and returns the timestamped one's path. */
export async function writeResultsJson(dir: string, report: BenchReport): Promise<string> {
  await mkdir(dir, { recursive: true });
  const text = `${JSON.stringify({ schemaVersion: 1, ...report }, null, 2)}\n`;
  const path = join(dir, `${report.startedAt.replace(/[:.]/g, "-")}.json`);
  await writeFile(path, text);
  await writeFile(join(dir, "latest.json"), text);
  return path;
}
