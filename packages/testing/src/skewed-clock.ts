// Running a child process with its clock shifted (libfaketime), and the checks that make a test
// say so when the shift cannot happen: a failed LD_PRELOAD is only a warning on the child's stderr.
import { existsSync } from "node:fs";

/** Where Debian's faketime package puts the library (`.ci/run`'s ensure_faketime installs it). */
export const libfaketimePath = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/** Why a skewed clock is impossible here, or undefined when libfaketime is installed. */
export function skewedClockUnavailable(): string | undefined {
  if (existsSync(libfaketimePath)) return undefined;
  return (
    `libfaketime is not installed (${libfaketimePath} is missing): install it with \`apt-get install -y ` +
    `faketime\` to run this test`
  );
}

/** The environment for a child whose clock runs `offsetSeconds` ahead (negative: behind). */
export function skewedClockEnv(offsetSeconds: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, LD_PRELOAD: libfaketimePath, FAKETIME: `${offsetSeconds >= 0 ? "+" : ""}${offsetSeconds}s` };
}

/**
 * Throws unless a child's reported `Date.now()` is about `offsetSeconds` off this process's clock
 * (within `toleranceMs`): the premise of any test that relies on the skew.
 */
export function assertClockSkewed(childNow: number, offsetSeconds: number, label: string, toleranceMs = 15_000): void {
  const skew = childNow - Date.now();
  if (!Number.isFinite(childNow) || Math.abs(skew - offsetSeconds * 1000) > toleranceMs) {
    throw new Error(
      `${label}'s clock is ${Math.round(skew / 1000)} s off, not ${offsetSeconds} s: libfaketime did not ` +
        `take effect (LD_PRELOAD=${libfaketimePath})`,
    );
  }
}
