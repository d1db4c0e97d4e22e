// One EventSource per tab, shared by the pages: each subscriber hears which workflow IDs changed
// (or that everything may have).
import { useEffect, useRef } from "react";
import { liveUrl } from "./api.js";

export interface LiveMessage {
  readonly ids?: string[];
  readonly all?: boolean;
}

type Subscriber = (message: LiveMessage) => void;
const subscribers = new Set<Subscriber>();
let source: EventSource | undefined;
export let liveState: "connecting" | "open" | "closed" = "connecting";

function ensure(): void {
  if (source !== undefined) return;
  source = new EventSource(liveUrl());
  source.onopen = () => {
    liveState = "open";
    document.body.dataset.live = "open";
    for (const s of subscribers) s({ all: true });
  };
  source.onerror = () => {
    liveState = "closed";
    document.body.dataset.live = "closed";
  };
  source.onmessage = (event) => {
    const message = JSON.parse(event.data as string) as LiveMessage;
    for (const s of subscribers) s(message);
  };
}

/** Calls `onChange` (at most every 300 ms) when a change concerns `ids` (any change when undefined). */
export function useLive(onChange: () => void, ids?: () => readonly string[]): void {
  const latest = useRef(onChange);
  latest.current = onChange;
  const idsRef = useRef(ids);
  idsRef.current = ids;
  useEffect(() => {
    ensure();
    let timer: number | undefined;
    const subscriber: Subscriber = (message) => {
      const watched = idsRef.current?.();
      if (!message.all && watched !== undefined && !message.ids?.some((id) => watched.includes(id))) return;
      if (timer !== undefined) return;
      timer = window.setTimeout(() => {
        timer = undefined;
        latest.current();
      }, 300);
    };
    subscribers.add(subscriber);
    return () => {
      subscribers.delete(subscriber);
      clearTimeout(timer);
    };
  }, []);
}
