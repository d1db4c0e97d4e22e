// "30d", "12h", "15m", "45s", "500ms" to milliseconds, for --older-than and friends.
import { usage } from "./cli-failure.js";

const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Whole milliseconds (they are compared with bigint columns): "1.5ms" is refused, "1.5s" is 1500. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  const exact = match === null ? Number.NaN : Number(match[1]) * units[match[2]!]!;
  // Rounded only to undo binary noise (1.1 × 1000 is 1100.0000000000002), never a real fraction.
  const ms = Math.round(exact);
  if (!Number.isSafeInteger(ms) || Math.abs(exact - ms) > 1e-6) {
    throw usage(
      `${flag} takes a duration of whole milliseconds such as 30d, 12h, 15m, 45s or 500ms; ` +
        `got ${JSON.stringify(text)}.`,
    );
  }
  return ms;
}
