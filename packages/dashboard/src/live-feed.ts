// The dashboard's server-sent events: one feed per handler, shared by every open tab, each tab one
// event stream. Each tab says what it shows (POST api/live/watch): some workflows (a workflow's page:
// it and its children), or every workflow (the list, queues and workers pages).
//
// The system database's LISTEN connection (the client's own) brings cancels, events, messages and
// stream writes of a workflow, enqueues and ended leases at once. Step commits and finished workflows
// send no NOTIFY, and must not (a NOTIFY takes a global lock at commit: one per checkpoint would slow
// every worker), so each interval the feed runs, for all tabs at once:
// - one query over the workflows that some tab watches (their status and steps, by primary key:
//   its cost follows what is open, not the table nor the commit rate elsewhere);
// - while a tab shows every workflow, one indexed probe of the workflows created, started or
//   finished since the last (no steps: no such page shows them).
// Nothing runs while no tab is open, and a tab's watch goes with its stream.
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { DurablyError, type SystemDatabase } from "@durably/sysdb";
import {
  cancelChannel,
  enqueuedChannel,
  eventsChannel,
  leaseEndedChannel,
  messagesChannel,
  streamsChannel,
} from "@durably/sysdb/queries";
import { WorkflowChangeProbe } from "./workflow-change-probe.js";
import { WorkflowProgressWatch } from "./workflow-progress-watch.js";

/** The most workflows one tab watches (a page shows one workflow and up to 500 children). */
export const maxWatchedPerTab = 1_000;
/** A comment line every so often keeps proxies from closing an idle stream. */
const heartbeatMs = 15_000;

interface Tab {
  readonly id: string;
  readonly res: ServerResponse;
  /** Set when the socket's buffer is full: skip writes, then tell the tab to re-read everything. */
  behind: boolean;
  /** The workflows it shows: it hears of their steps and status. */
  watched: ReadonlySet<string>;
  /** True when it shows a view of every workflow: it hears of any change. */
  everything: boolean;
}

type Message = { readonly ids: readonly string[] } | { readonly all: true } | { readonly tab: string };

/** What the feed holds and has done, for monitoring and tests. */
export interface LiveStats {
  /** Open event streams. */
  readonly tabs: number;
  /** Distinct workflows watched by some tab. */
  readonly watchedWorkflows: number;
  /** Queries over the watched workflows run so far. */
  readonly watchQueries: number;
  /** Probes for any workflow's changes run so far. */
  readonly changeProbes: number;
}

export class LiveFeed {
  readonly #sysdb: SystemDatabase;
  readonly #intervalMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #tabs = new Map<string, Tab>();
  readonly #progress: WorkflowProgressWatch;
  readonly #changes: WorkflowChangeProbe;
  #unsubscribe: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(sysdb: SystemDatabase, intervalMs: number, onError: (error: unknown) => void) {
    this.#sysdb = sysdb;
    this.#intervalMs = intervalMs;
    this.#onError = onError;
    this.#progress = new WorkflowProgressWatch(sysdb);
    this.#changes = new WorkflowChangeProbe(sysdb);
  }

  stats(): LiveStats {
    return {
      tabs: this.#tabs.size,
      watchedWorkflows: this.#watched().size,
      watchQueries: this.#progress.queries,
      changeProbes: this.#changes.probes,
    };
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
    const tab: Tab = { id: randomUUID(), res, behind: false, watched: new Set(), everything: false };
    this.#tabs.set(tab.id, tab);
    res.on("drain", () => {
      if (!tab.behind) return;
      tab.behind = false;
      this.#send(tab, { all: true });
    });
    res.on("close", () => {
      this.#tabs.delete(tab.id);
      if (this.#tabs.size === 0) this.#stop();
    });
    this.#send(tab, { tab: tab.id });
    if (this.#tabs.size === 1) this.#start();
  }

  /**
   * Sets what tab `tabID` shows: `workflowIDs` (at most {@link maxWatchedPerTab}), and `everything`
   * for a view of any workflow. False when no such tab is open (its stream closed: it reconnects).
   */
  watch(tabID: unknown, workflowIDs: unknown, everything: unknown): boolean {
    if (typeof tabID !== "string") throw new DurablyError("INVALID_ARGUMENT", "tab must be the feed's tab ID.");
    if (
      !Array.isArray(workflowIDs) ||
      workflowIDs.length > maxWatchedPerTab ||
      workflowIDs.some((id) => typeof id !== "string")
    ) {
      throw new DurablyError("INVALID_ARGUMENT", `workflowIDs must be at most ${maxWatchedPerTab} workflow IDs.`);
    }
    if (typeof everything !== "boolean") throw new DurablyError("INVALID_ARGUMENT", "everything must be a boolean.");
    const tab = this.#tabs.get(tabID);
    if (tab === undefined) return false;
    tab.watched = new Set(workflowIDs as string[]);
    tab.everything = everything;
    return true;
  }

  /** Ends every stream and stops listening. */
  close(): void {
    this.#closed = true;
    for (const tab of this.#tabs.values()) tab.res.end();
    this.#tabs.clear();
    this.#stop();
  }

  #start(): void {
    const listener = this.#sysdb.listener;
    const byID = (payload: string) => this.#notify([payload.split("::")[0] ?? payload]);
    const anyWorkflow = () => this.#notifyEverythingTabs();
    this.#unsubscribe = [
      listener.subscribe(cancelChannel, byID),
      listener.subscribe(eventsChannel, byID),
      listener.subscribe(streamsChannel, byID),
      listener.subscribe(messagesChannel, byID),
      listener.subscribe(enqueuedChannel, anyWorkflow),
      listener.subscribe(leaseEndedChannel, anyWorkflow),
      // Notifications were lost while the connection was down: every tab reads again.
      listener.onReconnect(() => {
        for (const tab of this.#tabs.values()) this.#send(tab, { all: true });
      }),
    ];
    this.#heartbeat = setInterval(() => {
      for (const tab of this.#tabs.values()) if (!tab.behind) tab.res.write(": ping\n\n");
    }, heartbeatMs);
    this.#schedule();
  }

  #stop(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#unsubscribe = [];
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    this.#timer = undefined;
    this.#progress.reset();
    this.#changes.reset();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#tick()
        .catch((error: unknown) => this.#onError(error))
        .finally(() => {
          if (this.#tabs.size > 0 && !this.#closed) this.#schedule();
        });
    }, this.#intervalMs);
  }

  async #tick(): Promise<void> {
    const everything = [...this.#tabs.values()].some((t) => t.everything);
    const [changed, probed] = await Promise.all([
      this.#progress.changed(this.#watched()),
      everything ? this.#changes.changed() : this.#changes.reset(),
    ]);
    if (changed.length > 0) this.#notify(changed, false);
    if (probed === "all") this.#notifyEverythingTabs();
    else if (probed !== undefined && probed.length > 0) {
      for (const tab of this.#tabs.values()) if (tab.everything) this.#send(tab, { ids: probed });
    }
  }

  /** The workflows some tab watches. */
  #watched(): Set<string> {
    const all = new Set<string>();
    for (const tab of this.#tabs.values()) for (const id of tab.watched) all.add(id);
    return all;
  }

  /** Tells each tab that watches one of `ids` (and, unless `toEverythingTabs` is false, each that shows every workflow). */
  #notify(ids: readonly string[], toEverythingTabs = true): void {
    for (const tab of this.#tabs.values()) {
      const mine = tab.everything && toEverythingTabs ? ids : ids.filter((id) => tab.watched.has(id));
      if (mine.length > 0) this.#send(tab, { ids: mine });
    }
  }

  #notifyEverythingTabs(): void {
    for (const tab of this.#tabs.values()) if (tab.everything) this.#send(tab, { all: true });
  }

  #send(tab: Tab, message: Message): void {
    if (tab.behind) return;
    if (!tab.res.write(`data: ${JSON.stringify(message)}\n\n`)) tab.behind = true;
  }
}
