// Coalesced NOTIFYs: payloads announced while a send is in flight go out together in the next
// one, so a burst of enqueues costs one extra statement, not one per enqueue. Local listeners are
// told at once, without the database round trip.
import type { SystemDatabase } from "@durably/sysdb";
import { sendNotifications } from "@durably/sysdb/queries";
import type { Logger } from "./logger.js";

export type LocalListener = (payload: string) => void;

export class Notifier {
  readonly #sysdb: SystemDatabase;
  readonly #logger: Logger;
  readonly #pending = new Map<string, Set<string>>();
  readonly #local = new Map<string, Set<LocalListener>>();
  #flushing: Promise<void> | undefined;

  constructor(sysdb: SystemDatabase, logger: Logger) {
    this.#sysdb = sysdb;
    this.#logger = logger;
  }

  /** Announces `payload` on `channel` to this process now and to every other process soon. */
  notify(channel: string, payload: string): void {
    this.signalLocal(channel, payload);
    let payloads = this.#pending.get(channel);
    if (payloads === undefined) this.#pending.set(channel, (payloads = new Set()));
    payloads.add(payload);
    this.#flushing ??= this.#flush();
  }

  /** Tells this process's listeners only (when a database trigger already tells the others). */
  signalLocal(channel: string, payload: string): void {
    for (const listener of this.#local.get(channel) ?? []) listener(payload);
  }

  /** Hears this process's own notifications on `channel` at once. */
  onLocal(channel: string, listener: LocalListener): () => void {
    let listeners = this.#local.get(channel);
    if (listeners === undefined) this.#local.set(channel, (listeners = new Set()));
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Waits for what was announced so far to be sent. */
  async drain(): Promise<void> {
    while (this.#flushing !== undefined) await this.#flushing;
  }

  async #flush(): Promise<void> {
    // Start on the next tick: it runs once the current promise chains have finished, so waiters
    // of this process that were just handed the value resume before this builds its statement,
    // and the statement still leaves before the event loop turns to I/O.
    await new Promise<void>((resolve) => process.nextTick(resolve));
    try {
      while (this.#pending.size > 0) {
        const batch = [...this.#pending];
        this.#pending.clear();
        for (const [channel, payloads] of batch) {
          // Best effort: listeners also poll, so a lost wake-up only costs latency.
          await sendNotifications(this.#sysdb, channel, [...payloads]).catch((error: unknown) =>
            this.#logger.warn("could not send a wake-up notification", { channel, error }),
          );
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }
}
