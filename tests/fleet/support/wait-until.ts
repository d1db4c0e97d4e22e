// Polls a condition against the database or the workers until it holds, within a bound.

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined, and returns
 * that; throws, naming `what` and the last probe's report, after `timeoutMs`.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 25, report }: { timeoutMs: number; intervalMs?: number; report?: () => Promise<unknown> },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const state = report === undefined ? "" : `; state: ${JSON.stringify(await report())}`;
      throw new Error(`${what}: not within ${timeoutMs} ms${state}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
