// Times each encode and decode for a profiler (the bench's --profile) on a diagnostics channel;
// while nobody subscribes, a wrapped function costs one property read more.
import { channel } from "node:diagnostics_channel";

/** What the channel publishes per call (performance.now() readings). */
export interface SerializationTiming {
  readonly operation: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Publishes a {@link SerializationTiming} per encode or decode of a value, an error or a workflow input. */
export const serializationTimingChannel = channel("durably:core:serialization");

/** `fn`, timed on the channel under `operation` when someone subscribes. */
export function timedSerialization<A extends unknown[], R>(
  operation: string,
  fn: (...args: A) => R,
): (...args: A) => R {
  return (...args: A): R => {
    if (!serializationTimingChannel.hasSubscribers) return fn(...args);
    const startedAt = performance.now();
    try {
      return fn(...args);
    } finally {
      const timing: SerializationTiming = { operation, startedAt, endedAt: performance.now() };
      serializationTimingChannel.publish(timing);
    }
  };
}
