// One EventSource per tab, shared by the pages: each subscriber hears which workflow IDs changed
// (or that everything may have). The tab tells the server what it shows (the union of its
// subscribers' workflow IDs, or every workflow when one subscriber has none), so the server reads
// only that; it says so again whenever the stream reconnects (a new stream is a new tab there).
import { useEffect, useRef } from "react";
import { liveUrl, post } from "./api.js";

export interface LiveMessage {
  readonly ids?: string[];
  readonly all?: boolean;
  readonly tab?: string;
}

interface Subscriber {
  notify(message: LiveMessage): void;
  /** The workflows it shows; undefined: any workflow. */
  ids: readonly string[] | undefined;
}

const subscribers = new Set<Subscriber>();
let source: EventSource | undefined;
let tabID: string | undefined;
/** The watch last sent for this tab ID, to send only changes. */
let sent = "";
let pending: number | undefined;
export let liveState: "connecting" | "open" | "closed" = "connecting";

/** Tells the server what this tab shows, soon (several pages' changes in one request). */
function sendWatch(): void {
  if (pending !== undefined) return;
  pending = window.setTimeout(() => {
    pending = undefined;
    if (tabID === undefined) return;
    const everything = [...subscribers].some((s) => s.ids === undefined);
    const ids = [...new Set([...subscribers].flatMap((s) => s.ids ?? []))].sort();
    const watch = JSON.stringify({ tab: tabID, workflowIDs: ids, everything });
    if (watch === sent) return;
    sent = watch;
    post("live/watch", JSON.parse(watch)).catch(() => {
      // The stream closed under it: the reconnect brings a new tab ID, and the watch is sent again.
      sent = "";
    });
  }, 30);
}

function ensure(): void {
  if (source !== undefined) return;
  source = new EventSource(liveUrl());
  source.onopen = () => {
    liveState = "open";
    document.body.dataset.live = "open";
    for (const s of subscribers) s.notify({ all: true });
  };
  source.onerror = () => {
    liveState = "closed";
    document.body.dataset.live = "closed";
  };
  source.onmessage = (event) => {
    const message = JSON.parse(event.data as string) as LiveMessage;
    if (message.tab !== undefined) {
      tabID = message.tab;
      sent = "";
      document.body.dataset.liveTab = message.tab;
      sendWatch();
      return;
    }
    for (const s of subscribers) s.notify(message);
  };
}

/**
 * Calls `onChange` (at most every 300 ms) when a change concerns `ids` (any workflow's change when
 * undefined: a view of every workflow).
 */
export function useLive(onChange: () => void, ids?: readonly string[]): void {
  const latest = useRef(onChange);
  latest.current = onChange;
  const subscriber = useRef<Subscriber>(undefined);
  const key = ids === undefined ? undefined : ids.join("\n");
  useEffect(() => {
    ensure();
    let timer: number | undefined;
    const s: Subscriber = {
      ids: undefined,
      notify: (message) => {
        const watched = s.ids;
        if (!message.all && watched !== undefined && !message.ids?.some((id) => watched.includes(id))) return;
        if (timer !== undefined) return;
        timer = window.setTimeout(() => {
          timer = undefined;
          latest.current();
        }, 300);
      },
    };
    subscriber.current = s;
    subscribers.add(s);
    return () => {
      subscribers.delete(s);
      clearTimeout(timer);
      sendWatch();
    };
  }, []);
  useEffect(() => {
    const s = subscriber.current;
    if (s === undefined) return;
    s.ids = key === undefined ? undefined : key === "" ? [] : key.split("\n");
    sendWatch();
  }, [key]);
}
