// Wakes a getResult waiting in another process as soon as the workflow's outcome commits, instead
// of at its next poll, at no cost while nobody waits: the outcome statement is unchanged and sends
// no NOTIFY. The waiter NOTIFYs the workflow ID on resultWantedChannel; a worker running it (or
// that starts it later) NOTIFYs resultReadyChannel once the outcome is committed; a worker that
// ended it shortly before hearing the ID answers at once, so the waiter reads the row again (the
// run may have ended after the waiter's read but before the worker heard the ID). Other workers
// stay silent: with N workers, one wanted ID used to cost N-1 answers and N-1 reads of the row.
// The waiter keeps polling, so a lost notification (or a forgotten end) only costs latency.
import { resultReadyChannel, resultWantedChannel } from "@durably/sysdb/queries";
import type { Runtime } from "./runtime.js";

/** How long a worker remembers a wanted ID it does not run yet (a queued workflow not yet dequeued). */
const wantedTtlMs = 10 * 60_000;
/** The most wanted IDs a worker remembers; the oldest go first (their waiters fall back to polling). */
const maxWanted = 100_000;
/**
 * How many of its latest ended runs a worker remembers, to answer a wanted ID heard just after the
 * end. A waiter sends its ID right after reading the row unfinished, so the end it must hear of is
 * at most a notification's delivery old; one evicted sooner costs that waiter one poll interval.
 */
const maxRecentlyEnded = 10_000;

class ResultWake {
  readonly #runtime: Runtime;
  /** Workflow ID → when to forget it, in insertion order. */
  readonly #wanted = new Map<string, number>();
  /** IDs of the runs that ended here lately, oldest first. */
  readonly #recentlyEnded = new Set<string>();
  /** Workflow ID → the wakers of this process's waiters on it. */
  readonly #waiters = new Map<string, Set<() => void>>();

  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  /** A worker heard that someone waits for `workflowID`. */
  wanted(workflowID: string): void {
    const now = Date.now();
    for (const [id, expires] of this.#wanted) {
      if (expires > now && this.#wanted.size < maxWanted) break;
      this.#wanted.delete(id);
    }
    this.#wanted.delete(workflowID);
    this.#wanted.set(workflowID, now + wantedTtlMs);
    // Not running here: answer only if it ended here (running or not yet claimed: finished() answers).
    if (!this.#runtime.active.has(workflowID) && this.#recentlyEnded.has(workflowID))
      this.#runtime.notifier.notify(resultReadyChannel, workflowID);
  }

  /** A local run of `workflowID` ended (its outcome committed, or adopted): wake its remote waiters. */
  finished(workflowID: string): void {
    this.#recentlyEnded.add(workflowID);
    if (this.#recentlyEnded.size > maxRecentlyEnded) {
      for (const oldest of this.#recentlyEnded) {
        this.#recentlyEnded.delete(oldest);
        break;
      }
    }
    if (this.#wanted.size > 0 && this.#wanted.delete(workflowID))
      this.#runtime.notifier.notify(resultReadyChannel, workflowID);
  }

  ready(workflowID: string): void {
    for (const wake of this.#waiters.get(workflowID) ?? []) wake();
  }

  /**
   * Announces that this process waits for `workflowID` and returns its waiter: `mark()` counts the
   * answers so far; `next(mark)` resolves once there is an answer after that mark; `close()` ends it.
   */
  wait(workflowID: string): ResultWaiter {
    let answers = 0;
    let pending: (() => void) | undefined;
    const waker = () => {
      answers++;
      pending?.();
      pending = undefined;
    };
    let set = this.#waiters.get(workflowID);
    if (set === undefined) this.#waiters.set(workflowID, (set = new Set()));
    set.add(waker);
    this.#runtime.notifier.notify(resultWantedChannel, workflowID);
    return {
      mark: () => answers,
      next: (since) => (answers > since ? Promise.resolve() : new Promise<void>((resolve) => void (pending = resolve))),
      close: () => {
        set.delete(waker);
        if (set.size === 0 && this.#waiters.get(workflowID) === set) this.#waiters.delete(workflowID);
      },
    };
  }
}

/** One wait of this process for another process's workflow: see {@link ResultWake.wait}. */
export interface ResultWaiter {
  mark(): number;
  next(since: number): Promise<void>;
  close(): void;
}

const wakes = new WeakMap<Runtime, ResultWake>();

/** The runtime's result wake, if {@link startResultWake} ran. */
export function resultWakeOf(runtime: Runtime): ResultWake | undefined {
  return wakes.get(runtime);
}

/**
 * Subscribes the runtime to answers (and, unless it is a client, which runs no workflow, to
 * wanted IDs). Call before the listener starts, so its first LISTEN includes both channels.
 */
export function startResultWake(runtime: Runtime): () => Promise<void> {
  const wake = new ResultWake(runtime);
  wakes.set(runtime, wake);
  const unsubscribes = [runtime.sysdb.listener.subscribe(resultReadyChannel, (id) => wake.ready(id))];
  if (!runtime.isClient)
    unsubscribes.push(runtime.sysdb.listener.subscribe(resultWantedChannel, (id) => wake.wanted(id)));
  return async () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
