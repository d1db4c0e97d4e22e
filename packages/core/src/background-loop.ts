// A loop that runs in the background until stopped: one round, a wait, again. It owns what every
// such loop must get right: starting once, an awaitable stop, logging a failed round, jitter.
import { delayUnlessAborted } from "./abortable-delay.js";
import type { Logger } from "./logger.js";

/**
 * What a round says about the wait after it: nothing for the interval, a number of ms instead of
 * it (0: start the next round at once), or `{ backoffMs }` to wait at least that long, a wait
 * that only stop cuts short.
 */
export type NextWait = void | number | { readonly backoffMs: number };

export interface BackgroundLoopOptions {
  readonly logger: Logger;
  /** Logged as a warning, with the error, when a round throws before stop. */
  readonly failureMessage: string;
  /** One round of work. */
  readonly round: (signal: AbortSignal) => Promise<NextWait>;
  /** Handles a failed round instead of the warning (which it then logs itself). */
  readonly onError?: (error: unknown) => NextWait;
  /** The regular wait between rounds, read before each wait. */
  readonly intervalMs: number | (() => number);
  /** Spreads each regular wait by up to ± this fraction (0.05: 95%–105%), so processes do not poll in step. */
  readonly jitter?: number;
  /** Waits one interval before the first round. */
  readonly waitFirst?: boolean;
}

export class BackgroundLoop {
  readonly #options: BackgroundLoopOptions;
  readonly #stop = new AbortController();
  #wake = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: BackgroundLoopOptions) {
    this.#options = options;
  }

  /** Aborted once stop was called: rounds check it to give up early. */
  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Starts the loop; a second call, or one after stop, does nothing. */
  start(): void {
    if (this.#stop.signal.aborted) return;
    this.#loop ??= this.#run();
  }

  /** Cuts the current wait short (unless it is a backoff), or the next one if a round is running. */
  wake(): void {
    this.#wake.abort();
  }

  /** Stops the loop and resolves once the round in progress has ended. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { round, onError, logger, failureMessage, waitFirst } = this.#options;
    let next: NextWait;
    if (waitFirst === true) await this.#wait(undefined);
    while (!this.#stop.signal.aborted) {
      try {
        next = await round(this.#stop.signal);
      } catch (error) {
        if (this.#stop.signal.aborted) break;
        if (onError === undefined) {
          logger.warn(failureMessage, { error });
          next = undefined;
        } else next = onError(error);
      }
      if (next === 0 || this.#stop.signal.aborted) continue;
      await this.#wait(next);
    }
  }

  async #wait(next: NextWait): Promise<void> {
    const stop = this.#stop.signal;
    let ms = typeof next === "number" ? next : this.#interval();
    if (typeof next === "object") ms = Math.max(ms, next.backoffMs);
    const cutBy = typeof next === "object" ? stop : AbortSignal.any([this.#wake.signal, stop]);
    await delayUnlessAborted(ms, cutBy);
    if (this.#wake.signal.aborted) this.#wake = new AbortController();
  }

  #interval(): number {
    const { intervalMs, jitter = 0 } = this.#options;
    const base = typeof intervalMs === "number" ? intervalMs : intervalMs();
    return base * (1 - jitter + Math.random() * 2 * jitter);
  }
}
