// One dedicated LISTEN connection per system database, fanned out to in-process subscribers.
//
// postgres.js's own listen() re-listens after a reconnect, but when the server is still down at
// that moment the re-LISTEN fails and is dropped for good. This small loop keeps retrying with
// backoff instead, and tells subscribers when it is back: notifications sent while the listener
// was down are lost, so they must re-check the database.
import postgres from "#postgres";
import type { Options, Sql } from "#postgres";
import { quoteIdentifier } from "./schema-name.js";

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

  constructor(options: NotificationListenerOptions) {
    this.#options = options;
  }

  /** Opens the connection and LISTENs on every channel subscribed so far. Safe to call again after it failed. */
  async start(): Promise<void> {
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

  /** Calls `handler` each time the listener re-established LISTEN after losing its connection. */
  onReconnect(handler: ReconnectHandler): () => void {
    this.#reconnectHandlers.add(handler);
    return () => {
      this.#reconnectHandlers.delete(handler);
    };
  }

  /** Closes the connection; no handler is called afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const sql = this.#sql;
    this.#sql = undefined;
    await sql?.end({ timeout: 1 });
    await this.#reconnecting?.catch(() => undefined);
  }

  #dispatch(channel: string, payload: string): void {
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
        for (const handler of this.#reconnectHandlers) {
          try {
            handler();
          } catch (error) {
            this.#options.onError(error);
          }
        }
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
