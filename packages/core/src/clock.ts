// The one clock durably reads time from, so tests can drive time instead of waiting.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
