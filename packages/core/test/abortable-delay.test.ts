// Timers that must outlast Node.js's setTimeout limit (2^31-1 ms, ~24.8 days; a longer one fires
// at once): a durable sleep or a queue delay of 30 days must really wait 30 days.
import { expect, test, vi } from "vitest";
import { abortableDelay } from "../src/abortable-delay.js";

test("a 30-day delay waits 30 days instead of firing at once (setTimeout caps at 2^31-1 ms)", async () => {
  vi.useFakeTimers();
  try {
    const thirtyDays = 30 * 24 * 3_600_000;
    let done = false;
    const delay = abortableDelay(thirtyDays, new AbortController().signal).then(() => void (done = true));
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(thirtyDays - 2 ** 31 - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await delay;
    expect(done).toBe(true);
  } finally {
    vi.useRealTimers();
  }
});
