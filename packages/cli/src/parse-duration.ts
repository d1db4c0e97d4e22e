// "30d", "12h", "15m", "45s", "500ms" to milliseconds, for --older-than and friends.
import { usage } from "./cli-failure.js";

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (match === null) throw usage(`${flag} takes a duration such as 30d, 12h, 15m or 45s; got ${JSON.stringify(text)}.`);
  return Number(match[1]) * units[match[2]!]!;
}
