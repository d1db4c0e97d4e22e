// The record of every step execution, kept outside the database so database faults cannot lose
// it: one file per worker process, one JSON line per event, appended with O_APPEND.
import { closeSync, openSync, readdirSync, writeSync } from "node:fs";
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

/**
 * - `begin`/`end`: a step's function started/finished, with the nonce it returns;
 * - `ack`: the workflow got this value back from runAsStep (its own or a replayed one);
 * - `wake`: a durable sleep returned; `done`: the workflow function returned its result (nonce).
 */
export type EffectEvent = "begin" | "end" | "ack" | "wake" | "done";

export interface EffectRecord {
  readonly wf: string;
  readonly step: number;
  readonly nonce: string;
  readonly event: EffectEvent;
  /**
   * When it happened on the host's clock, the same clock as Postgres's commit timestamps (a
   * skewed worker's Date.now(), less its skew).
   */
  readonly t: number;
  /** `wake` only: the worker's own Date.now(), the clock its durable sleep waited on. */
  readonly clock?: number;
}

/**
 * One process's effect log. writeSync puts each line in the page cache before the step goes on, so SIGKILL loses
 * nothing.
 */
export class EffectLog {
  readonly #fd: number;
  readonly #clockSkewMs: number;

  /** `clockSkewMs`: how far ahead of the host's clock this process's clock was set (libfaketime). */
  constructor(path: string, clockSkewMs = 0) {
    this.#fd = openSync(path, "a");
    this.#clockSkewMs = clockSkewMs;
  }

  append(record: Omit<EffectRecord, "t" | "clock">): void {
    const clock = Date.now();
    const line = { ...record, t: clock - this.#clockSkewMs, ...(record.event === "wake" ? { clock } : {}) };
    writeSync(this.#fd, `${JSON.stringify(line)}\n`);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** Calls `visit` with every record of every log in `dir`, and the file it came from. Skips a torn last line. */
export async function readEffectLogs(
  dir: string,
  visit: (record: EffectRecord, file: string) => void,
): Promise<{ lines: number; torn: number }> {
  let lines = 0;
  let torn = 0;
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()) {
    const reader = createInterface({ input: createReadStream(join(dir, file)), crlfDelay: Infinity });
    for await (const line of reader) {
      if (line === "") continue;
      try {
        visit(JSON.parse(line) as EffectRecord, file);
        lines++;
      } catch {
        torn++;
      }
    }
  }
  return { lines, torn };
}
