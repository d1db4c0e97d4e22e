// One dedicated LISTEN connection per system database, fanned out to in-process subscribers.
//
// postgres.js's own listen() re-listens after a reconnect, but when the server is still down at
// that moment the re-LISTEN fails and is dropped for good. This small loop keeps retrying with
// backoff instead, and tells subscribers when it is back: notifications sent while the listener
// was down are lost, so they must re-check the database.
//
// Behind a pooler in transaction mode a LISTEN is made on whichever server connection the pooler
// lent, so no notification ever arrives. A probe NOTIFY sent through the pool, as other processes
// send theirs, tells whether they do; while they do not, the listener has its subscribers re-check
// the database (the same call as after a reconnect) on an adaptive schedule: soon after a new wait
// begins, then less and less often.
import postgres from "#postgres";
import type { Options, Sql } from "#postgres";
import { quoteIdentifier } from "./schema-name.js";
import { newLeaseID } from "./short-id.js";
import { notificationTimingChannel, type NotificationTiming } from "./profiling-channels.js";

export type NotificationHandler = (payload: string) => void;
export type ReconnectHandler = () => void;

export interface NotificationListenerOptions {
  /** Connection options shared with the pool (URL already parsed by the caller). */
  readonly url: string;
  readonly connection: Options<Record<string, never>>;
  /** Where errors of the background loop go; it never throws into the void. */
  readonly onError: (error: unknown) => void;
  /** First and largest wait between re-LISTEN attempts. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /**
   * Sends a NOTIFY the way every other process does (through the pool): the probe that tells
   * whether notifications reach this listener. Without it the listener assumes they do.
   */
  readonly probe?: (channel: string, payload: string) => Promise<void>;
  /** Known deaf (a transaction pooler and no separate listen URL): no LISTEN, poll from the start. */
  readonly deaf?: boolean;
  /** Told once, the first time the listener finds it hears nothing and starts polling. */
  readonly onDeaf?: (reason: string) => void;
  /** How long a probe waits for its own NOTIFY. Default 2000 ms. */
  readonly probeTimeoutMs?: number;
  /** How often the probe runs again (notifications may come back, or go). Default 30 000 ms. */
  readonly probeEveryMs?: number;
  /** While deaf: the shortest and longest wait between two re-checks. Defaults 100 and 1000 ms. */
  readonly pollMinMs?: number;
  readonly pollMaxMs?: number;
}

export class NotificationListener {
  readonly #options: NotificationListenerOptions;
  readonly #handlers = new Map<string, Set<NotificationHandler>>();
  readonly #reconnectHandlers = new Set<ReconnectHandler>();
  #sql: Sql | undefined;
  #listening = new Set<string>();
  #closed = false;
  #connectedOnce = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #reconnecting: Promise<void> | undefined;
  // The probe's own channel (one per listener, so processes never hear each other's probes).
  readonly #probeChannel = `durably_probe_${newLeaseID()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "_")}`;
  // Probes in flight, by token.
  readonly #probes = new Map<string, () => void>();
  #probeTimer: NodeJS.Timeout | undefined;
  #deaf = false;
  #toldDeaf = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #pollDelayMs = 0;

  constructor(options: NotificationListenerOptions) {
    this.#options = options;
    if (options.probe !== undefined && options.deaf !== true) {
      this.#handlers.set(this.#probeChannel, new Set([(payload) => this.#probes.get(payload)?.()]));
    }
  }

  /** True while notifications are found not to arrive and subscribers are polled instead. */
  get deaf(): boolean {
    return this.#deaf;
  }

  /** Opens the connection and LISTENs on every channel subscribed so far. Safe to call again after it failed. */
  async start(): Promise<void> {
    if (this.#options.deaf === true) {
      if (!this.#deaf) this.#becomeDeaf("a transaction pooler without a separate listen URL");
      return;
    }
    if (this.#sql !== undefined) return;
    const sql = postgres(this.#options.url, {
      ...this.#options.connection,
      max: 1,
      idle_timeout: 0,
      max_lifetime: 0,
      onnotify: (channel: string, payload: string) => this.#dispatch(channel, payload),
      onclose: () => this.#connectionLost(),
    } as Options<Record<string, never>>);
    this.#sql = sql;
    try {
      await this.#listenAll();
    } catch (error) {
      this.#sql = undefined;
      await sql.end({ timeout: 1 }).catch(() => undefined);
      throw error;
    }
    this.#connectedOnce = true;
    if (this.#options.probe !== undefined) this.#scheduleProbe(0);
  }

  /** Sends a probe NOTIFY through the pool and waits for it here; polls subscribers while it does not come. */
  async probe(): Promise<boolean> {
    const token = newLeaseID();
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.#options.probeTimeoutMs ?? 2_000);
      this.#probes.set(token, () => resolve(true));
    });
    try {
      await this.#options.probe!(this.#probeChannel, token);
    } catch {
      // The pool is down: say nothing about the listener now; the next probe decides.
      clearTimeout(timer);
      this.#probes.delete(token);
      return !this.#deaf;
    }
    const heard = await arrived;
    clearTimeout(timer);
    this.#probes.delete(token);
    if (this.#closed) return heard;
    if (!heard && !this.#deaf) this.#becomeDeaf("a probe NOTIFY sent through the pool did not arrive");
    if (heard && this.#deaf) this.#becomeHearing();
    return heard;
  }

  /**
   * Calls `handler` with each payload NOTIFYed on `channel`. Returns the unsubscribe function.
   * Delivery is at most once: after a reconnect, check the database (see {@link onReconnect}).
   */
  subscribe(channel: string, handler: NotificationHandler): () => void {
    let handlers = this.#handlers.get(channel);
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
      if (this.#sql !== undefined && this.#connectedOnce) {
        this.#listen(channel).catch((error) => this.#options.onError(error));
      }
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
    };
  }

  /**
   * Calls `handler` each time subscribers must look at the database themselves: the listener
   * re-established LISTEN after losing its connection, or, while notifications do not arrive
   * (see {@link deaf}), on the polling schedule.
   */
  onReconnect(handler: ReconnectHandler): () => void {
    this.#reconnectHandlers.add(handler);
    // A new wait began: while deaf, re-check soon, then back off again.
    if (this.#deaf) this.#pollSoon();
    return () => {
      this.#reconnectHandlers.delete(handler);
    };
  }

  /** Closes the connection; no handler is called afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#probeTimer);
    clearTimeout(this.#pollTimer);
    const sql = this.#sql;
    this.#sql = undefined;
    await sql?.end({ timeout: 1 });
    await this.#reconnecting?.catch(() => undefined);
  }

  #scheduleProbe(delayMs: number): void {
    if (this.#closed) return;
    clearTimeout(this.#probeTimer);
    this.#probeTimer = setTimeout(() => {
      this.probe()
        .catch((error) => this.#options.onError(error))
        .finally(() => this.#scheduleProbe(this.#options.probeEveryMs ?? 30_000));
    }, delayMs);
    this.#probeTimer.unref();
  }

  #becomeDeaf(reason: string): void {
    this.#deaf = true;
    if (!this.#toldDeaf) {
      this.#toldDeaf = true;
      this.#options.onDeaf?.(reason);
    }
    this.#pollSoon();
  }

  #becomeHearing(): void {
    this.#deaf = false;
    clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    // Anything announced while deaf was missed: one last re-check.
    this.#recheck();
  }

  /** Restarts the deaf schedule at its shortest wait. */
  #pollSoon(): void {
    const min = this.#options.pollMinMs ?? 100;
    if (this.#pollTimer !== undefined && this.#pollDelayMs <= min) return;
    this.#pollDelayMs = min;
    this.#armPoll();
  }

  #armPoll(): void {
    clearTimeout(this.#pollTimer);
    if (this.#closed || !this.#deaf) return;
    this.#pollTimer = setTimeout(
      () => {
        this.#recheck();
        this.#pollDelayMs = Math.min(this.#options.pollMaxMs ?? 1_000, this.#pollDelayMs * 2);
        this.#armPoll();
      },
      this.#pollDelayMs * (0.9 + Math.random() * 0.2),
    );
    this.#pollTimer.unref();
  }

  #recheck(): void {
    for (const handler of this.#reconnectHandlers) {
      try {
        handler();
      } catch (error) {
        this.#options.onError(error);
      }
    }
  }

  #dispatch(channel: string, payload: string): void {
    if (notificationTimingChannel.hasSubscribers) {
      const timing: NotificationTiming = { channel, receivedAt: performance.now() };
      notificationTimingChannel.publish(timing);
    }
    const handlers = this.#handlers.get(channel);
    if (handlers === undefined) return;
    for (const handler of handlers) {
      try {
        handler(payload);
      } catch (error) {
        this.#options.onError(error);
      }
    }
  }

  async #listenAll(): Promise<void> {
    const channels = [...this.#handlers.keys()];
    this.#listening = new Set();
    if (channels.length === 0) {
      // Open the connection anyway so that a loss of it is noticed and reported.
      await this.#sql!`select 1`;
      return;
    }
    await this.#sql!.unsafe(channels.map((c) => `LISTEN ${quoteIdentifier(c)}`).join("; "));
    for (const channel of channels) this.#listening.add(channel);
  }

  async #listen(channel: string): Promise<void> {
    if (this.#listening.has(channel)) return;
    await this.#sql!.unsafe(`LISTEN ${quoteIdentifier(channel)}`);
    this.#listening.add(channel);
  }

  #connectionLost(): void {
    if (this.#closed || !this.#connectedOnce || this.#reconnecting !== undefined) return;
    this.#reconnecting = this.#reconnectLoop().finally(() => {
      this.#reconnecting = undefined;
    });
  }

  async #reconnectLoop(): Promise<void> {
    const min = this.#options.retryMinMs ?? 100;
    const max = this.#options.retryMaxMs ?? 5_000;
    for (let delay = min; !this.#closed; delay = Math.min(max, delay * 2)) {
      try {
        await this.#listenAll();
        if (this.#closed) return;
        this.#recheck();
        return;
      } catch (error) {
        if (this.#closed) return;
        this.#options.onError(error);
        await new Promise<void>((resolve) => {
          this.#retryTimer = setTimeout(resolve, delay * (0.9 + Math.random() * 0.2));
        });
      }
    }
  }
}
