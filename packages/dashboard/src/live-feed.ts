// The dashboard's server-sent events: one feed per handler, shared by every open tab. The system
// database's LISTEN connection (the client's own) brings enqueues, cancels, events, messages, stream
// writes and ended leases at once; step commits and finished workflows send no NOTIFY (a NOTIFY per
// checkpoint would slow every worker), so while a tab listens the feed also runs one indexed probe
// per interval for all tabs. Each tab then re-reads only what it shows.
import type { ServerResponse } from "node:http";
import type { SystemDatabase } from "@durably/sysdb";
import {
  cancelChannel,
  enqueuedChannel,
  eventsChannel,
  leaseEndedChannel,
  messagesChannel,
  recentWorkflowChanges,
  streamsChannel,
} from "@durably/sysdb/queries";

/** How far back each probe looks again, for commits whose timestamps came from a slower clock. */
const overlapMs = 3_000;
/** The most changes of each kind one probe reads; more means "everything changed". */
const probeLimit = 500;
/** A comment line every so often keeps proxies from closing an idle stream. */
const heartbeatMs = 15_000;

interface Tab {
  readonly res: ServerResponse;
  /** Set when the socket's buffer is full: skip writes, then tell the tab to re-read everything. */
  behind: boolean;
}

export class LiveFeed {
  readonly #sysdb: SystemDatabase;
  readonly #probeIntervalMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #tabs = new Set<Tab>();
  #unsubscribe: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #since: number | undefined;
  /** Changes already announced, by key, with their time (pruned to the overlap window). */
  #seen = new Map<string, number>();
  #closed = false;

  constructor(sysdb: SystemDatabase, probeIntervalMs: number, onError: (error: unknown) => void) {
    this.#sysdb = sysdb;
    this.#probeIntervalMs = probeIntervalMs;
    this.#onError = onError;
  }

  /** Number of open event streams. */
  get tabs(): number {
    return this.#tabs.size;
  }

  /** Turns `res` into an event stream until the tab goes away or the feed closes. */
  open(res: ServerResponse): void {
    if (this.#closed) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    const tab: Tab = { res, behind: false };
    this.#tabs.add(tab);
    res.on("drain", () => {
      if (!tab.behind) return;
      tab.behind = false;
      this.#send(tab, { all: true });
    });
    res.on("close", () => {
      this.#tabs.delete(tab);
      if (this.#tabs.size === 0) this.#stop();
    });
    if (this.#tabs.size === 1) this.#start();
  }

  /** Ends every stream and stops listening. */
  close(): void {
    this.#closed = true;
    for (const tab of this.#tabs) tab.res.end();
    this.#tabs.clear();
    this.#stop();
  }

  #start(): void {
    const listener = this.#sysdb.listener;
    const byID = (payload: string) => this.#broadcast({ ids: [payload.split("::")[0] ?? payload] });
    const any = () => this.#broadcast({ all: true });
    this.#unsubscribe = [
      listener.subscribe(cancelChannel, byID),
      listener.subscribe(eventsChannel, byID),
      listener.subscribe(streamsChannel, byID),
      listener.subscribe(messagesChannel, byID),
      listener.subscribe(enqueuedChannel, any),
      listener.subscribe(leaseEndedChannel, any),
      listener.onReconnect(any),
    ];
    this.#heartbeat = setInterval(() => {
      for (const tab of this.#tabs) if (!tab.behind) tab.res.write(": ping\n\n");
    }, heartbeatMs);
    this.#schedule();
  }

  #stop(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    this.#timer = undefined;
    this.#since = undefined;
    this.#seen.clear();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#probe()
        .catch((error: unknown) => this.#onError(error))
        .finally(() => {
          if (this.#tabs.size > 0 && !this.#closed) this.#schedule();
        });
    }, this.#probeIntervalMs);
  }

  async #probe(): Promise<void> {
    const since = this.#since;
    const { changes, nowMs } = await recentWorkflowChanges(this.#sysdb, (since ?? Date.now()) - overlapMs, probeLimit);
    this.#since = nowMs;
    if (since === undefined) {
      // The first probe only learns what is already there.
      for (const c of changes) this.#seen.set(`${c.workflowID}|${c.what}|${c.at}`, c.at);
      return;
    }
    const ids = new Set<string>();
    for (const c of changes) {
      const key = `${c.workflowID}|${c.what}|${c.at}`;
      if (this.#seen.has(key)) continue;
      this.#seen.set(key, c.at);
      ids.add(c.workflowID);
    }
    for (const [key, at] of this.#seen) if (at < nowMs - 2 * overlapMs) this.#seen.delete(key);
    if (changes.length >= probeLimit) this.#broadcast({ all: true });
    else if (ids.size > 0) this.#broadcast({ ids: [...ids] });
  }

  #broadcast(message: { ids?: string[]; all?: boolean }): void {
    for (const tab of this.#tabs) this.#send(tab, message);
  }

  #send(tab: Tab, message: { ids?: string[]; all?: boolean }): void {
    if (tab.behind) return;
    if (!tab.res.write(`data: ${JSON.stringify(message)}\n\n`)) tab.behind = true;
  }
}
