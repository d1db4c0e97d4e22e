// Wake-ups for waiting readers, keyed by exactly what they wait for (channel + `id::key`
// payload): one listener subscription per channel per process, however many waiters there are.
// A waiter may also be a taker: a writer in this process hands it the committed value directly,
// which saves the waiter the round trip of reading it back.
import type { DBOSContext, DurableStep } from "@durably/core";
import { extensionHost, type ExtensionHost } from "@durably/core/extension";

/** Identifies this package's waiter registry in each context (ExtensionHost.extensionState). */
const registryKey = {};

/**
 * Resolves on the next tick, once the promise chains already queued have run. A writer that
 * handed a value over awaits it, so the waiters resume before the writer's own continuation
 * (often heavier: its next statement) takes the thread.
 */
export function letWaitersRun(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}

/** The waiter registry of a context's host. */
export function waitersOf(ctx: DBOSContext): Waiters {
  const host = extensionHost(ctx);
  return host.extensionState(registryKey, () => new Waiters(host));
}

/** A value as stored: its text and serialization format. */
export interface StoredValue {
  readonly text: string;
  readonly serialization: string | null;
}

/** A waiter that can take its value from a writer in this process. */
export interface Taker {
  /** The step it waits at, inside a workflow; the writer records the value there. */
  readonly step: DurableStep | undefined;
  readonly take: (stored: StoredValue) => void;
}

/** A taker reserved by one writer: `release` it unless the value was handed over. */
export interface Claim {
  readonly taker: Taker;
  release(): void;
}

/**
 * A taker that decodes what it is handed and delivers it. A value that cannot be decoded only
 * wakes the waiter: its own try then meets the same stored text and fails as a replay would.
 */
export function decodingTaker<T>(
  step: DurableStep | undefined,
  decode: (text: string, serialization: string | null) => T,
  deliver: (value: T) => void,
  wake: () => void,
): Taker {
  return {
    step,
    take: (stored) => {
      let value: T;
      try {
        value = decode(stored.text, stored.serialization);
      } catch {
        wake();
        return;
      }
      deliver(value);
    },
  };
}

interface Waiter {
  readonly wake: () => void;
  readonly taker: Taker | undefined;
  /** Reserved by a writer: wake-ups wait until it releases the taker (its own write caused most). */
  claimed: boolean;
  missedWake: boolean;
}

export class Waiters {
  readonly #host: ExtensionHost;
  /** By channel and payload; a Set iterates oldest first. */
  readonly #byKey = new Map<string, Set<Waiter>>();
  readonly #channels = new Set<string>();

  constructor(host: ExtensionHost) {
    this.#host = host;
  }

  /** Calls `wake` whenever `payload` is announced on `channel`, from any process; registers `taker` for hand-overs. */
  subscribe(channel: string, payload: string, wake: () => void, taker?: Taker): () => void {
    this.#listen(channel);
    const key = `${channel}\n${payload}`;
    const waiter: Waiter = { wake, taker, claimed: false, missedWake: false };
    let waiters = this.#byKey.get(key);
    if (waiters === undefined) this.#byKey.set(key, (waiters = new Set()));
    waiters.add(waiter);
    return () => {
      waiters.delete(waiter);
      if (waiters.size === 0) this.#byKey.delete(key);
    };
  }

  /**
   * Reserves the longest-waiting unreserved taker of `payload`, so only one writer hands it a
   * value; meanwhile its wake-ups are held back (they would only start a read racing the write).
   */
  claim(channel: string, payload: string): Claim | undefined {
    let waiter: Waiter | undefined;
    for (const w of this.#byKey.get(`${channel}\n${payload}`) ?? []) {
      if (w.taker !== undefined && !w.claimed) {
        waiter = w;
        break;
      }
    }
    if (waiter === undefined) return undefined;
    waiter.claimed = true;
    return {
      taker: waiter.taker!,
      release: () => {
        waiter.claimed = false;
        if (waiter.missedWake) waiter.wake();
        waiter.missedWake = false;
      },
    };
  }

  /**
   * Hands `stored` to every taker of `payload` (readers outside workflows: nothing to record); returns how many took
   * it.
   */
  handOver(channel: string, payload: string, stored: StoredValue): number {
    let handed = 0;
    for (const waiter of this.#byKey.get(`${channel}\n${payload}`) ?? []) {
      if (waiter.taker === undefined) continue;
      waiter.taker.take(stored);
      handed++;
    }
    return handed;
  }

  #listen(channel: string): void {
    if (this.#channels.has(channel)) return;
    this.#channels.add(channel);
    const dispatch = (payload: string) => {
      for (const waiter of this.#byKey.get(`${channel}\n${payload}`) ?? []) {
        if (waiter.claimed) waiter.missedWake = true;
        else waiter.wake();
      }
    };
    this.#host.sysdb.listener.subscribe(channel, dispatch);
    this.#host.notifier.onLocal(channel, dispatch);
  }
}
