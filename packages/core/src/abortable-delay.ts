// A timer that an AbortSignal cuts short, and that never keeps a shut-down process alive.
import { maxTimerMs } from "@durably/sysdb";

/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts. A wait
 * longer than a Node.js timer can hold (2^31-1 ms, ~24.8 days; a longer one fires at once) is
 * waited in chunks.
 */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let left = Math.max(0, ms);
    let timer: ReturnType<typeof setTimeout>;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const wait = () => {
      const chunk = Math.min(left, maxTimerMs);
      left -= chunk;
      timer = setTimeout(() => {
        if (left > 0) return wait();
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, chunk);
    };
    wait();
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Waits `ms` milliseconds or until the signal aborts, whichever comes first; never rejects. */
export function delayUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return abortableDelay(ms, signal).catch(() => undefined);
}
