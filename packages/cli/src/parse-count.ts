// Whole-number flags (--limit, --step, --batch-size ...): digits only. Number() would take "1e3",
// "0x10", " 5 " and "" (as 0), and a fraction would reach a bigint column as a driver error.
import { usage } from "./cli-failure.js";

/** The flag's value as an integer from `min` to 2^31-1; anything else is a usage error (exit 2). */
export function parseCount(text: string, flag: string, min = 0): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= 2 ** 31 - 1)) {
    throw usage(`${flag} takes a whole number from ${min} to 2147483647 (digits only); got ${JSON.stringify(text)}.`);
  }
  return n;
}
