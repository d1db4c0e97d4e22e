// One worker's effect log, read whole (the chaos suite's readEffectLogs reads a directory).
import { readFileSync } from "node:fs";
import type { EffectRecord } from "../../chaos/support/effect-log.js";

export function readEffects(path: string): EffectRecord[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as EffectRecord);
}
